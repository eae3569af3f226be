"""Poisson z, year-on-year, rates and headlines on the real Essex files, against plain pandas.

Essex holds January to July 2018 only, so "year on year" compares May-July 2018 with
January-March 2018: the arithmetic is the same for any two windows.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from csp_dash.db import queries
from csp_dash.overview.headlines import headline_items
from csp_dash.trends.queries import area_population, loaded_months
from csp_dash.trends.view import monthly_by_category, yoy_table

pytestmark = pytest.mark.slow

CURRENT = (date(2018, 5, 1), date(2018, 7, 1))
PREVIOUS = (date(2018, 1, 1), date(2018, 3, 1))


@pytest.fixture(scope="module")
def essex_db(essex_loaded: str):
    from csp_dash.db.engine import make_engine
    from tests.conftest import ESSEX

    eng = make_engine(essex_loaded)
    yield eng, ESSEX
    eng.dispose()


@pytest.fixture(scope="module")
def raw(essex_db) -> pd.DataFrame:
    """Every street row read with pandas alone."""
    _, folder = essex_db
    frames = [
        pd.read_csv(p, usecols=["Month", "LSOA code", "Crime type"], dtype=str)
        for p in sorted(folder.glob("2018-0?/*-street.csv"))
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def district(essex_db, raw) -> pd.DataFrame:
    """The rows the figures count: those whose LSOA is one of the loaded Essex LSOAs (the
    district, none being declared); rows over the border or with no location are left out."""
    _, folder = essex_db
    codes = set(pd.read_csv(folder / "essex_lsoa2011_population_mid2018.csv")["LSOA11CD"])
    return raw[raw["LSOA code"].isin(codes)]


def _window_totals(raw: pd.DataFrame, window, lsoa: str | None = None) -> pd.Series:
    first, last = (f"{d:%Y-%m}" for d in window)
    rows = raw[raw["Month"].between(first, last)]
    if lsoa is not None:
        rows = rows[rows["LSOA code"] == lsoa]
    return rows.groupby("Crime type").size()


def _pandas_yoy(raw: pd.DataFrame, lsoa: str | None = None) -> pd.DataFrame:
    cur = _window_totals(raw, CURRENT, lsoa)
    prev = _window_totals(raw, PREVIOUS, lsoa)
    df = pd.DataFrame({"current": cur, "previous": prev}).fillna(0)
    df["z"] = 2 * (np.sqrt(df["current"]) - np.sqrt(df["previous"]))
    df["pct"] = (df["current"] - df["previous"]) / df["previous"] * 100
    df["significant"] = df["z"].abs() > 2
    return df


def test_row_totals_match_the_published_figures(raw):
    assert len(raw) == 115_065  # realdata README
    assert (raw["Crime type"] == "Anti-social behaviour").sum() == 28_750


def test_year_on_year_by_category_matches_pandas(essex_db, district):
    raw = district
    eng, _ = essex_db
    counts = queries.cube_counts(eng, by=("month", "category"))
    themes = queries.theme_table(eng)
    cats = sorted(raw["Crime type"].unique())
    ours = yoy_table(counts, themes, cats, CURRENT, PREVIOUS, area_population(eng, "all", None))
    ours = ours[ours["level"] == "Category"].set_index("name").sort_index()
    ref = _pandas_yoy(raw).reindex(ours.index)
    assert ours["current"].tolist() == ref["current"].astype(int).tolist()
    assert ours["previous"].tolist() == ref["previous"].astype(int).tolist()
    np.testing.assert_allclose(ours["z"], ref["z"], rtol=1e-12)
    np.testing.assert_allclose(ours["pct"], ref["pct"], rtol=1e-12)
    assert ours["significant"].tolist() == ref["significant"].tolist()
    # Summer against winter: violence rises well beyond noise in real data.
    assert ours.loc["Violence and sexual offences", "direction"] == "increase"


def test_one_lsoa_year_on_year_and_rate_match_pandas(essex_db, raw):
    eng, folder = essex_db
    lsoa = raw["LSOA code"].value_counts().index[0]  # the busiest LSOA
    counts = queries.cube_counts(eng, layer="lsoa", by=("month", "category"), areas_in=[lsoa])
    cats = sorted(raw["Crime type"].unique())
    pop = area_population(eng, "lsoa", lsoa)
    ours = yoy_table(counts, queries.theme_table(eng), cats, CURRENT, PREVIOUS, pop)
    total = ours[ours["level"] == "Total"].iloc[0]
    ref = _pandas_yoy(raw, lsoa)
    assert total["current"] == ref["current"].sum() and total["previous"] == ref["previous"].sum()
    people = pd.read_csv(folder / "essex_lsoa2011_population_mid2018.csv")
    residents = float(people.set_index("LSOA11CD").loc[lsoa, "mid2018_population"])
    assert total["rate_current"] == pytest.approx(ref["current"].sum() / residents * 1000)


def test_monthly_series_and_headline_totals_match_pandas(essex_db, raw, district):
    eng, _ = essex_db
    counts = queries.cube_counts(eng, by=("month", "category"))
    loaded = loaded_months(eng)
    assert len(loaded) == 7
    wide = monthly_by_category(
        counts, ["Burglary", "Drugs"], loaded, date(2018, 1, 1), date(2018, 7, 1)
    )
    ref = (
        district[district["Crime type"].isin(["Burglary", "Drugs"])]
        .groupby(["Month", "Crime type"])
        .size()
        .unstack()
    )
    np.testing.assert_array_equal(wide.to_numpy(), ref[["Burglary", "Drugs"]].to_numpy())
    items = headline_items(counts, queries.theme_table(eng), date(2018, 7, 1), loaded=loaded)
    all_crime = items[0]
    # 12 months to July 2018 hold the seven loaded months; the year before holds none, so no
    # change is claimed: the count alone, and why.
    crime = int((district["Crime type"] != "Anti-social behaviour").sum())
    assert all_crime["current"] == crime < 115_065 - 28_750  # the district: Essex's LSOAs
    assert all_crime["change"] is None and all_crime["z"] is None
    assert all_crime["sentence"] == (f"All crime (excluding anti-social behaviour): {crime:,} in "
                                     "the period; no comparison, as 17 month(s) of the two "
                                     "periods have no data loaded.")
