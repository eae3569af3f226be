"""Hotspot page logic without a database: periods, batched Gi*, classes over sub-periods,
concentration. References: esda called directly, gi_star, and hand-worked examples."""

from __future__ import annotations

import warnings
from datetime import date

import esda
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import lat2W

from csp_dash.analysis.gistar import fdr_bh, gi_star
from csp_dash.analysis.hotspot_classes import classify_hotspots, period_signal
from csp_dash.analysis.periods import comparison_window, label, months_in, window
from csp_dash.hotspots.periods import parse_period, sub_periods
from csp_dash.hotspots.stats import (
    GiSettings,
    classify_periods,
    concentration,
    gi_star_normal_many,
    gi_table,
    sub_period_totals,
)
from tests.gistar_reference import esda_gi_star, esda_two_sided_p, monte_carlo_tolerance


def _grid_w(rows: int = 5, cols: int = 5):
    """Queen contiguity on a rows x cols lattice, ids 0..n-1 (binary, no self-weights)."""
    return lat2W(rows, cols, rook=False)


def _esda_z(y, w) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(np.asarray(y, float), w, transform="B", permutations=0, star=True)
    return np.asarray(g.Zs)


# ---------------------------------------------------------------- periods


def test_window_and_comparison_for_up_to_12_months_is_a_year_earlier():
    cur = window(date(2025, 3, 1), 12)
    assert cur == (date(2024, 4, 1), date(2025, 3, 1))
    prev, words = comparison_window(cur)
    assert prev == (date(2023, 4, 1), date(2024, 3, 1))
    assert "year earlier" in words
    prev3, _ = comparison_window(window(date(2025, 3, 1), 3))  # Jan-Mar 2025 vs Jan-Mar 2024
    assert prev3 == (date(2024, 1, 1), date(2024, 3, 1))


def test_longer_periods_compare_with_the_months_just_before():
    cur = window(date(2025, 3, 1), 24)
    prev, words = comparison_window(cur)
    assert prev == (date(2021, 4, 1), date(2023, 3, 1))
    assert len(months_in(prev)) == 24 and "previous 24" in words


def test_quarters_count_back_from_the_last_month_with_a_short_oldest_block():
    subs = sub_periods((date(2024, 1, 1), date(2024, 8, 1)), "quarter")  # 8 months
    assert subs == [
        (date(2024, 1, 1), date(2024, 2, 1)),
        (date(2024, 3, 1), date(2024, 5, 1)),
        (date(2024, 6, 1), date(2024, 8, 1)),
    ]
    assert len(sub_periods((date(2024, 1, 1), date(2024, 8, 1)), "month")) == 8
    assert label((date(2024, 6, 1), date(2024, 8, 1))) == "Jun 2024 to Aug 2024"


def test_parse_period_forms():
    first, last = date(2018, 1, 1), date(2018, 7, 1)
    assert parse_period(None, first, last) == (first, last)  # 7 months loaded: all of them
    assert parse_period("3m", first, last) == (date(2018, 5, 1), last)
    assert parse_period("2018-02", first, last) == (date(2018, 2, 1), date(2018, 2, 1))
    assert parse_period("2018-02:2018-04", first, last) == (date(2018, 2, 1), date(2018, 4, 1))
    for bad in ("2018", "2018-05:2018-02", "twelve"):
        with pytest.raises(ValueError):
            parse_period(bad, first, last)


# ---------------------------------------------------------------- Gi*


def test_batched_normal_gi_equals_gi_star_and_esda_column_by_column():
    w = _grid_w()
    rng = np.random.default_rng(7)
    values = pd.DataFrame(
        {
            "a": rng.poisson(3, 25),
            "b": np.r_[np.full(5, 20), rng.poisson(1, 20)],  # a hot top row
            "c": np.zeros(25, dtype=int),  # nothing recorded: no z at all
        },
        index=pd.Index(range(25)),
    )
    z, q = gi_star_normal_many(values, w)
    for col in ("a", "b"):
        ref = gi_star(values[col], w, p_method="normal")
        np.testing.assert_allclose(z[col], ref["gi_z"], rtol=1e-10)
        np.testing.assert_allclose(q[col], ref["p_fdr"], rtol=1e-10)
        np.testing.assert_allclose(z[col], _esda_z(values[col], w), rtol=1e-10)
    assert z["c"].isna().all() and q["c"].isna().all()
    assert z.loc[0:4, "b"].min() > z.loc[5:, "b"].max()  # the hot row stands out


def test_batched_gi_leaves_islands_untested_like_gi_star():
    from libpysal.weights import W

    w = W({0: [1], 1: [0, 2], 2: [1], 3: []}, silence_warnings=True)  # 3 is an island
    values = pd.DataFrame({"p": [9, 4, 1, 7]}, index=pd.Index([0, 1, 2, 3]))
    z, q = gi_star_normal_many(values, w)
    ref = gi_star(values["p"], w, p_method="normal")
    assert np.isnan(q.loc[3, "p"]) and np.isnan(ref.loc[3, "p_fdr"])
    np.testing.assert_allclose(q["p"].iloc[:3], ref["p_fdr"].iloc[:3], rtol=1e-10)


def test_gi_table_with_permutations_agrees_with_esda_and_passes_the_seed_on():
    w = _grid_w(6, 6)
    y = pd.Series(np.random.default_rng(3).gamma(2.0, 3.0, 36))  # continuous values
    out = gi_table(y, w, GiSettings("permutation", 199, 42))
    g = esda_gi_star(y.to_numpy(), w, 199, seed=42)
    np.testing.assert_allclose(out["gi_z"], g.Zs, rtol=1e-10)
    # Our own draws: p within Monte Carlo error of esda's simulations (ties on both sides).
    expected = esda_two_sided_p(g, 199)
    assert (np.abs(out["p"] - expected) <= monte_carlo_tolerance(expected, 199)).all()
    again = gi_table(y, w, GiSettings("permutation", 199, 42))
    pd.testing.assert_frame_equal(out, again)
    other_seed = gi_table(y, w, GiSettings("permutation", 199, 43))
    assert not np.allclose(other_seed["p"], out["p"])  # the seed is really passed on


def test_fdr_hand_worked_example():
    # p = .01, .04, .03, .20 (m = 4). Sorted: .01 .03 .04 .20; times m/rank: .04 .06 .0533 .20;
    # running minimum from the largest rank down: .04 .0533 .0533 .20.
    adjusted = fdr_bh([0.01, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(adjusted, [0.04, 0.16 / 3, 0.16 / 3, 0.20])


def test_statement_names_the_method_and_the_seed():
    assert "normal approximation" in GiSettings().statement()
    text = GiSettings("permutation", 999, 7).statement()
    assert "999 conditional permutations" in text and "seed 7" in text and "0.002" in text
    assert "Benjamini-Hochberg" in text


# ---------------------------------------------------------------- classes over sub-periods


def test_sub_period_totals_sum_the_months():
    months = pd.date_range("2024-01-01", periods=6, freq="MS")
    monthly = pd.DataFrame([[1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 9]], columns=months)
    subs = sub_periods((date(2024, 1, 1), date(2024, 6, 1)), "quarter")
    totals = sub_period_totals(monthly, subs)
    assert totals.to_numpy().tolist() == [[6, 15], [0, 9]]
    assert list(totals.columns) == ["Jan 2024 to Mar 2024", "Apr 2024 to Jun 2024"]


# A 7 x 7 lattice with a 3 x 3 block in the middle (ids r * 7 + c); 24 is its centre.
BLOCK = [r * 7 + c for r in (2, 3, 4) for c in (2, 3, 4)]
CENTRE = 24


def _monthly_with_hot_block(hot_by_month: list[int], n_months: int = 10) -> pd.DataFrame:
    """49 units x n_months: a low Poisson background; in month m the middle block is hot if
    hot_by_month[m] is 1."""
    rng = np.random.default_rng(11)
    data = rng.poisson(1, (49, n_months))
    for m, hot in enumerate(hot_by_month):
        if hot:
            data[BLOCK, m] += 20
    months = pd.date_range("2024-01-01", periods=n_months, freq="MS")
    return pd.DataFrame(data, columns=months)


def test_classes_follow_per_sub_period_signals_from_gi_star():
    w = _grid_w(7, 7)
    monthly = _monthly_with_hot_block([1] * 10)
    subs = sub_periods((date(2024, 1, 1), date(2024, 10, 1)), "month")
    res = classify_periods(monthly, subs, w, GiSettings())
    # Reference: gi_star per month (esda), then period_signal and classify_hotspots.
    signals = pd.DataFrame(
        {m: period_signal(gi_star(monthly[m], w, p_method="normal")) for m in monthly.columns}
    )
    expected = classify_hotspots(signals)
    pd.testing.assert_series_equal(res.classes, expected, check_names=False)
    assert res.classes.loc[CENTRE] == "persistent hotspot"
    assert res.n_periods == 10 and res.recent == 2
    persistent = int(res.counts.set_index("class").loc["persistent hotspot", "cells"])
    assert persistent == int((expected == "persistent hotspot").sum()) >= 1


def test_a_row_that_turns_hot_recently_is_emerging_and_one_that_cooled_is_former():
    w = _grid_w(7, 7)
    subs = sub_periods((date(2024, 1, 1), date(2024, 10, 1)), "month")
    emerging = classify_periods(_monthly_with_hot_block([0] * 8 + [1, 1]), subs, w, GiSettings())
    assert emerging.classes.loc[CENTRE] == "emerging hotspot"
    former = classify_periods(_monthly_with_hot_block([1] * 6 + [0] * 4), subs, w, GiSettings())
    assert former.classes.loc[CENTRE] == "former hotspot"
    assert (former.classes.drop(BLOCK) == "no pattern").mean() > 0.8


def test_permutation_classes_use_gi_star_each_sub_period():
    w = _grid_w(7, 7)
    monthly = _monthly_with_hot_block([1] * 4, n_months=4)
    subs = sub_periods((date(2024, 1, 1), date(2024, 4, 1)), "month")
    settings = GiSettings("permutation", 999, 5)
    res = classify_periods(monthly, subs, w, settings)
    signals = pd.DataFrame({
        m: period_signal(gi_star(monthly[m], w, permutations=999, seed=5))
        for m in monthly.columns
    })  # fmt: skip
    pd.testing.assert_series_equal(res.classes, classify_hotspots(signals), check_names=False)


def test_one_sub_period_gives_no_classes_and_says_why():
    w = _grid_w(7, 7)
    monthly = _monthly_with_hot_block([1], n_months=3)
    res = classify_periods(
        monthly, sub_periods((date(2024, 1, 1), date(2024, 3, 1)), "quarter"), w, GiSettings()
    )
    assert res.classes is None and "at least two sub-periods" in res.note


# ---------------------------------------------------------------- concentration


def test_concentration_on_a_toy_distribution():
    # 100 crimes in 10 places: 50 in the busiest -> half the crime in 1 of 10 places (10%);
    # the curve runs 0, .5, .8, .9, .95, 1.0, then flat.
    counts = pd.Series([5, 50, 0, 30, 0, 10, 5, 0, 0, 0], index=list("abcdefghij"))
    c = concentration(counts, "violence", "cells")
    assert c.headline == "50% of violence occurred in 10% of cells (1 of 10)."
    assert (c.units, c.n_units, c.unit_share, c.crime_share) == (1, 10, 0.1, 0.5)
    np.testing.assert_allclose(c.curve["cumulative"].iloc[:7], [0, 0.5, 0.8, 0.9, 0.95, 1.0, 1.0])
    assert c.curve["share_of_units"].iloc[0] == 0 and c.curve["share_of_units"].iloc[-1] == 1


def test_concentration_curve_is_thinned_for_the_chart_but_keeps_its_ends():
    counts = pd.Series(np.random.default_rng(1).poisson(2, 5000))
    c = concentration(counts, "crime", "cells")
    assert len(c.curve) <= 401
    assert c.curve["cumulative"].iloc[-1] == pytest.approx(1.0)
    assert c.curve["cumulative"].is_monotonic_increasing
