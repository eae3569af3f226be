"""STL decomposition against statsmodels called directly."""

import numpy as np
import pandas as pd
from statsmodels.tsa.seasonal import STL

from csp_dash.analysis.seasonal import decompose, decompose_reason


def _monthly(n: int, seed: int = 11) -> pd.Series:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2019-01-01", periods=n, freq="MS")
    t = np.arange(n)
    level = 300 + 2 * t + 40 * np.sin(2 * np.pi * t / 12)
    return pd.Series(rng.poisson(level).astype(float), index=months, name="Burglary")


def test_decompose_equals_statsmodels_stl():
    s = _monthly(48)
    got = decompose(s)
    assert got is not None
    ref = STL(s.to_numpy(), period=12, robust=True).fit()
    np.testing.assert_array_equal(got.trend.to_numpy(), ref.trend)
    np.testing.assert_array_equal(got.seasonal.to_numpy(), ref.seasonal)
    np.testing.assert_array_equal(got.resid.to_numpy(), ref.resid)
    assert got.trend.index.equals(s.index)
    # components add back up to the data
    np.testing.assert_allclose((got.trend + got.seasonal + got.resid).to_numpy(), s.to_numpy())
    # strength of seasonality, Hyndman & Athanasopoulos: 1 - var(R) / var(S + R)
    expected = 1 - np.var(ref.resid, ddof=1) / np.var(ref.seasonal + ref.resid, ddof=1)
    assert got.seasonal_strength == max(0.0, expected)
    assert got.seasonal_strength > 0.5  # a 40-crime swing on Poisson noise of ~18


def test_period_index_accepted():
    s = _monthly(36)
    by_period = s.copy()
    by_period.index = s.index.to_period("M")
    got = decompose(by_period)
    ref = STL(s.to_numpy(), period=12, robust=True).fit()
    np.testing.assert_array_equal(got.seasonal.to_numpy(), ref.seasonal)


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
