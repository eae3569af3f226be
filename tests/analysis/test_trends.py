"""Trend statistics against hand computations and plain pandas."""

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from csp_dash.analysis.trends import (
    NOT_COMPARABLE,
    poisson_z,
    rate_per_1000,
    rolling_12,
    year_on_year,
    year_windows,
)


def test_poisson_z_hand_computed():
    # 2 * (sqrt(121) - sqrt(81)) = 2 * (11 - 9) = 4; 2 * (10 - 9) = 2; 2 * (0 - 4) = -8
    assert poisson_z(121, 81) == pytest.approx(4.0)
    assert poisson_z(0, 16) == pytest.approx(-8.0)
    assert isinstance(poisson_z(100, 81), float)
    z = poisson_z(np.array([121, 100, 0]), np.array([81, 81, 16]))
    assert isinstance(z, np.ndarray)
    assert z.tolist() == pytest.approx([4.0, 2.0, -8.0])
    # 4,210 -> 4,467: sqrt 64.8845 -> 66.8356, z = 3.902
    assert poisson_z(4467, 4210) == pytest.approx(2 * (math.sqrt(4467) - math.sqrt(4210)))
    assert poisson_z(4467, 4210) == pytest.approx(3.902, abs=1e-3)
    with pytest.raises(ValueError):
        poisson_z(-1, 3)


def _counts(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2022-01-01", "2024-12-01", freq="MS")
    cats = ["Burglary", "Drugs", "Robbery", "Shoplifting"]
    rows = [
        {"month": m, "category": c, "count": int(rng.poisson(lam))}
        for m in months
        for c, lam in zip(cats, [60, 25, 4, 90], strict=True)
    ]
    return pd.DataFrame(rows)


def test_year_on_year_matches_plain_pandas():
    counts = _counts()
    current = (date(2024, 1, 1), date(2024, 12, 1))
    previous = (date(2023, 1, 1), date(2023, 12, 1))
    got = year_on_year(counts, "category", current, previous).set_index("category")

    year = counts["month"].dt.year
    cur = counts[year == 2024].groupby("category")["count"].sum()
    prev = counts[year == 2023].groupby("category")["count"].sum()
    assert got["current"].tolist() == cur.tolist()
    assert got["previous"].tolist() == prev.tolist()
    assert got["change"].tolist() == (cur - prev).tolist()
    assert got["pct"].to_numpy() == pytest.approx(((cur - prev) / prev * 100).to_numpy())
    z = 2 * (np.sqrt(cur) - np.sqrt(prev))
    assert got["z"].to_numpy() == pytest.approx(z.to_numpy())
    assert got["significant"].tolist() == (z.abs() > 2).tolist()
    expected_dir = [
        ("increase" if d > 0 else "decrease") if abs(zz) > 2 else "no significant change"
        for d, zz in zip(cur - prev, z, strict=True)
    ]
    assert got["direction"].tolist() == expected_dir
    assert got.attrs["missing_months"] == []


def test_year_on_year_zero_previous_absent_keys_and_gaps():
    counts = pd.DataFrame(
        {
            "month": pd.to_datetime(["2024-02-01", "2024-03-01", "2023-03-01", "2024-03-01"]),
            "category": ["Robbery", "Robbery", "Drugs", "Drugs"],
            "count": [5, 7, 9, 9],
        }
    )
    got = year_on_year(
        counts,
        "category",
        (date(2024, 1, 1), date(2024, 12, 1)),
        (date(2023, 1, 1), date(2023, 12, 1)),
        keys=["Bicycle theft", "Drugs", "Robbery"],
        loaded=pd.date_range("2023-01-01", "2024-12-01", freq="MS"),
    ).set_index("category")
    # Robbery: 12 against 0 -> pct undefined, z = 2 * sqrt(12) = 6.93, significant
    assert got.loc["Robbery", "current"] == 12 and got.loc["Robbery", "previous"] == 0
    assert np.isnan(got.loc["Robbery", "pct"])
    assert got.loc["Robbery", "z"] == pytest.approx(2 * math.sqrt(12))
    assert got.loc["Robbery", "direction"] == "increase"
    # Drugs 9 -> 9: no change
    assert got.loc["Drugs", "pct"] == 0 and got.loc["Drugs", "direction"] == "no significant change"
    # Bicycle theft is in neither period: 0 / 0
    assert got.loc["Bicycle theft", ["current", "previous"]].tolist() == [0, 0]
    assert got.loc["Bicycle theft", "z"] == 0 and not got.loc["Bicycle theft", "significant"]
    assert got.attrs["missing_months"] == []
    # Without the loaded months: 24 months asked for, rows seen in only 3 of them, so the
    # comparison is withheld rather than claimed across the gaps.
    gapped = year_on_year(counts, "category", (date(2024, 1, 1), date(2024, 12, 1)),
                          (date(2023, 1, 1), date(2023, 12, 1))).set_index("category")
    assert len(gapped.attrs["missing_months"]) == 21
    assert date(2024, 2, 1) not in gapped.attrs["missing_months"]
    assert gapped.loc["Robbery", "current"] == 12
    assert np.isnan(gapped.loc["Robbery", "z"]) and not gapped["significant"].any()
    assert set(gapped["direction"]) == {NOT_COMPARABLE}


def test_rolling_12_treats_missing_month_as_missing():
    months = pd.date_range("2023-01-01", periods=24, freq="MS")
    s = pd.Series(np.arange(1, 25, dtype=float), index=months)
    full = rolling_12(s)
    # first full window is Jan-Dec 2023: 1 + ... + 12 = 78; last is 13 + ... + 24 = 222
    assert full.iloc[:11].isna().all()
    assert full.iloc[11] == 78 and full.iloc[-1] == 222

    gappy = rolling_12(s.drop(months[14]))  # March 2024 missing
    assert len(gappy) == 24  # reindexed, the gap is a row again
    # windows ending Feb 2024 (index 13) are unaffected; Mar 2024 .. Feb 2025 would
    # include the gap, so every window ending Mar 2024 .. Dec 2024 is NaN
    assert gappy.iloc[13] == sum(range(3, 15))
    assert gappy.iloc[14:].isna().all()

    blank = s.copy()
    blank.iloc[20] = np.nan  # an explicit blank counts as missing too
    assert rolling_12(blank).iloc[20:].isna().all()
    assert rolling_12(blank).iloc[19] == sum(range(9, 21))


def test_rate_per_1000():
    # 50 crimes in 20,000 residents -> 2.5 per 1,000
    assert rate_per_1000(50, 20000) == pytest.approx(2.5)
    rates = rate_per_1000(np.array([50, 3, 4]), np.array([20000, 0, np.nan]))
    assert rates[0] == pytest.approx(2.5) and np.isnan(rates[1]) and np.isnan(rates[2])
    series = rate_per_1000(pd.Series([10, 20], index=["a", "b"]), np.array([1000, 4000]))
    assert series.index.tolist() == ["a", "b"] and series.tolist() == [10.0, 5.0]


def test_windows():
    current, previous = year_windows(date(2025, 3, 1), 2)
    assert current == (date(2024, 4, 1), date(2025, 3, 1))
    assert previous == (date(2023, 4, 1), date(2024, 3, 1))
    # a mid-month date means that month
    assert year_windows(pd.Timestamp("2024-12-17"), 1)[0] == (date(2024, 1, 1), date(2024, 12, 1))
    years = year_windows(date(2024, 12, 1), 3)
    assert years == [
        (date(2024, 1, 1), date(2024, 12, 1)),
        (date(2023, 1, 1), date(2023, 12, 1)),
        (date(2022, 1, 1), date(2022, 12, 1)),
    ]
