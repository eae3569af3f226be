"""Our STL against statsmodels' STL, the independent reference (docs/methods.md,
"Seasonal decomposition"): trend, seasonal and residual within 1e-6 of the series' scale."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.tsa.seasonal import STL

from csp_dash.analysis.seasonal import decompose, decompose_reason
from csp_dash.analysis.stl import stl, trend_window

TOL = 1e-6
ROOT = Path(__file__).resolve().parents[2]


def _monthly(n: int, seed: int = 11) -> pd.Series:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2019-01-01", periods=n, freq="MS")
    t = np.arange(n)
    level = 300 + 2 * t + 40 * np.sin(2 * np.pi * t / 12)
    return pd.Series(rng.poisson(level).astype(float), index=months, name="Burglary")


def _assert_matches_statsmodels(y, robust: bool = True) -> None:
    y = np.asarray(y, dtype=float)
    got = stl(y, period=12, robust=robust)
    ref = STL(y, period=12, robust=robust).fit()
    atol = TOL * max(1.0, float(np.abs(y).max()))
    for part in ("trend", "seasonal", "resid"):
        np.testing.assert_allclose(getattr(got, part), getattr(ref, part), rtol=0, atol=atol,
                                   err_msg=part)
    np.testing.assert_allclose(got.weights, ref.weights, rtol=0, atol=TOL)


def test_defaults_are_statsmodels():
    # trend: next odd >= 1.5 * 12 / (1 - 1.5 / 7) = 22.9; low-pass 13; seasonal 7
    assert trend_window(12) == 23
    ref = STL(np.zeros(36), period=12, robust=True).config
    assert (ref["seasonal"], ref["trend"], ref["low_pass"]) == (7, 23, 13)
    assert ref["seasonal_deg"] == ref["trend_deg"] == ref["low_pass_deg"] == 1
    assert ref["seasonal_jump"] == ref["trend_jump"] == ref["low_pass_jump"] == 1


def test_decompose_equals_statsmodels_stl():
    s = _monthly(48)
    got = decompose(s)
    assert got is not None
    ref = STL(s.to_numpy(), period=12, robust=True).fit()
    atol = TOL * s.max()
    np.testing.assert_allclose(got.trend.to_numpy(), ref.trend, rtol=0, atol=atol)
    np.testing.assert_allclose(got.seasonal.to_numpy(), ref.seasonal, rtol=0, atol=atol)
    np.testing.assert_allclose(got.resid.to_numpy(), ref.resid, rtol=0, atol=atol)
    assert got.trend.index.equals(s.index)
    # components add back up to the data
    np.testing.assert_allclose((got.trend + got.seasonal + got.resid).to_numpy(), s.to_numpy())
    # strength of seasonality, Hyndman & Athanasopoulos: 1 - var(R) / var(S + R)
    expected = 1 - np.var(ref.resid, ddof=1) / np.var(ref.seasonal + ref.resid, ddof=1)
    assert got.seasonal_strength == pytest.approx(max(0.0, expected), abs=1e-9)
    assert got.seasonal_strength > 0.5  # a 40-crime swing on Poisson noise of ~18


def test_demo_district_series_match_statsmodels(demo_db):
    from csp_dash.analysis.trends import complete_months
    from csp_dash.db.engine import make_engine
    from csp_dash.db.queries import cube_counts
    from csp_dash.trends.view import fill_gaps

    eng = make_engine(demo_db)
    counts = cube_counts(eng, by=("month", "category"))
    eng.dispose()
    wide = counts.pivot(index="month", columns="category", values="count").fillna(0)
    # the demo leaves one month unloaded; the page decomposes across it once the user
    # asks for it to be filled, as here
    for series in [wide.sum(axis=1), *(wide[c] for c in wide.columns)]:
        filled, months = fill_gaps(complete_months(series))
        assert len(months) == 1 and len(filled) >= 36
        assert decompose(filled) is not None
        _assert_matches_statsmodels(filled.to_numpy())


def _synthetic(n: int, seed: int, outliers: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    level = 60 + 0.5 * t + 15 * np.cos(2 * np.pi * t / 12)
    y = rng.poisson(level).astype(float)
    y[rng.choice(n, outliers, replace=False)] += 250  # a data fault or one-off event
    return y


@pytest.mark.parametrize("n", [36, 37, 60, 119])
@pytest.mark.parametrize("outliers", [0, 3])
@pytest.mark.parametrize("robust", [True, False])
def test_synthetic_series_match_statsmodels(n, outliers, robust):
    for seed in range(5):
        _assert_matches_statsmodels(_synthetic(n, seed, outliers), robust=robust)


def test_outliers_get_zero_weight_and_stay_in_the_residual():
    y = _synthetic(60, seed=1, outliers=3)
    got = stl(y, period=12)
    spikes = np.argsort(y - np.median(y))[-3:]
    assert (got.weights[spikes] == 0).all()
    assert (got.resid[spikes] > 150).all()


@pytest.mark.parametrize("n", [36, 37, 60, 119])
@pytest.mark.parametrize("value", [0.0, 17.0])
def test_flat_series(n, value):
    y = np.full(n, value)
    _assert_matches_statsmodels(y)
    got = stl(y, period=12)
    np.testing.assert_allclose(got.trend, value, atol=1e-9)
    np.testing.assert_allclose(got.seasonal, 0.0, atol=1e-9)


def test_pure_season_is_all_seasonal():
    y = np.tile(np.arange(12.0), 4)
    _assert_matches_statsmodels(y)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(36, 96).flatmap(
        lambda n: st.lists(st.integers(0, 400), min_size=n, max_size=n)
    )
)
def test_random_counts_match_statsmodels(counts):
    _assert_matches_statsmodels(np.array(counts, dtype=float))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(36, 96).flatmap(lambda n: st.lists(st.integers(0, 3), min_size=n, max_size=n))
)
def test_sparse_small_counts_match_statsmodels(counts):
    # many ties and exact fits: where robust weights hang on rounding (docs/methods.md)
    _assert_matches_statsmodels(np.array(counts, dtype=float))


def test_too_short_or_bad_input_is_refused():
    with pytest.raises(ValueError):
        stl(np.arange(23.0), period=12)
    with pytest.raises(ValueError):
        stl(np.r_[np.arange(35.0), np.nan], period=12)


def test_period_index_accepted():
    s = _monthly(36)
    by_period = s.copy()
    by_period.index = s.index.to_period("M")
    got = decompose(by_period)
    np.testing.assert_allclose(got.seasonal.to_numpy(), decompose(s).seasonal.to_numpy())


def test_below_36_months_returns_none_with_reason():
    s = _monthly(35)
    assert decompose(s) is None
    reason = decompose_reason(s)
    assert "35 months" in reason and "36" in reason
    assert decompose_reason(_monthly(36)) is None


def test_gap_returns_none_with_reason():
    s = _monthly(48).drop(pd.Timestamp("2020-05-01"))
    assert decompose(s) is None
    assert "May 2020" in decompose_reason(s)


def _statsmodels_loaded_by(modules: list[str]) -> list[str]:
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'statsmodels')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_trends_page_does_not_import_statsmodels():
    # statsmodels and the scipy.stats it pulls in cost ~70 MB (docs/architecture.md,
    # "Performance"); only the forecast tab may load it, when it runs.
    pages = sorted(p.stem for p in (ROOT / "csp_dash/ui/trends").glob("*.py"))
    modules = ["csp_dash.analysis.seasonal", *(f"csp_dash.ui.trends.{p}" for p in pages)]
    assert "csp_dash.ui.trends.sections" in modules
    assert _statsmodels_loaded_by(modules) == []
    # the check would see it
    assert "statsmodels.tsa.seasonal" in _statsmodels_loaded_by(["statsmodels.tsa.seasonal"])
