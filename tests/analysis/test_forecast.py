"""Forecasts: wrapper against statsmodels itself, interval coverage by simulation, method
choice by backtest, refusals, and the small-area borrowed seasonal pattern."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from csp_dash.analysis import forecast as F


def _seasonal_poisson(seed: int, n: int, mean: float = 80.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    lam = mean * (1 + 0.25 * np.cos(2 * np.pi * (np.arange(n) - 6) / 12))
    return pd.Series(rng.poisson(lam).astype(float),
                     index=pd.date_range("2019-01-01", periods=n, freq="MS"))


def test_point_forecast_equals_statsmodels_ets():
    y = _seasonal_poisson(1, 48)
    form, table = F.forecast_ets(y, 6, "A,N,A")
    ref = ETSModel(y, error="add", seasonal="add", seasonal_periods=12).fit(disp=False)
    np.testing.assert_allclose(table["mean"], ref.forecast(6).to_numpy(), rtol=1e-6)
    assert form == "A,N,A"
    assert (table["lo95"] <= table["lo80"]).all() and (table["hi80"] <= table["hi95"]).all()


@pytest.mark.slow
def test_80_percent_interval_covers_about_80_percent_of_held_out_months():
    hits80, hits95 = [], []
    for seed in range(8):  # a fixed seed set: the result is reproducible
        y = _seasonal_poisson(seed, 72)
        _, table = F.forecast_ets(y.iloc[:60], 12, "A,N,A")
        held = y.iloc[60:].to_numpy()
        hits80 += list((held >= table["lo80"]) & (held <= table["hi80"]))
        hits95 += list((held >= table["lo95"]) & (held <= table["hi95"]))
    assert 0.68 <= np.mean(hits80) <= 0.92
    assert np.mean(hits95) >= 0.85


def test_seasonal_naive_by_hand():
    y = pd.Series(np.arange(36, dtype=float) + np.tile([0, 5] * 6, 3),
                  index=pd.date_range("2020-01-01", periods=36, freq="MS"))
    t = F.forecast_seasonal_naive(y, 14)
    np.testing.assert_array_equal(t["mean"].iloc[:12], y.iloc[-12:].to_numpy())
    assert t["mean"].iloc[12] == y.iloc[-12]
    sigma = np.sqrt(np.mean((y.to_numpy()[12:] - y.to_numpy()[:-12]) ** 2))  # all 12 here
    z80 = stats.norm.ppf(0.9)
    assert t["hi80"].iloc[0] - t["mean"].iloc[0] == pytest.approx(z80 * sigma)
    assert t["hi80"].iloc[12] - t["mean"].iloc[12] == pytest.approx(z80 * sigma * np.sqrt(2))


def test_backtest_picks_seasonal_naive_where_seasonal_differences_are_pure_noise():
    # A seasonal random walk: this year's month = last year's plus pure noise, so repeating
    # last year is the best forecast there is. (On white noise around a flat mean ETS
    # rightly wins: it forecasts the mean, whose error is half seasonal naive's variance.)
    picked = []
    for seed in range(4):
        rng = np.random.default_rng(100 + seed)
        v = np.empty(60)
        v[:12] = 100 + 20 * rng.normal(size=12)
        for i in range(12, 60):
            v[i] = v[i - 12] + rng.normal(0, 8)
        y = pd.Series(v, index=pd.date_range("2020-01-01", periods=60, freq="MS"))
        fc = F.forecast_series(y, 12)
        picked.append(fc.method)
        if fc.method == F.SNAIVE:
            assert "did no better" in fc.reason
    assert picked.count(F.SNAIVE) >= 3


def test_backtest_picks_ets_where_a_stable_pattern_carries_noise():
    # The other side: a fixed seasonal mean with Poisson noise. Seasonal naive copies last
    # year's noise; ETS averages it out, so it should win clearly.
    picked = [F.forecast_series(_seasonal_poisson(seed, 60), 12).method for seed in range(3)]
    assert picked.count(F.ETS) >= 2


def test_mase_is_scaled_by_the_training_seasonal_difference():
    y = _seasonal_poisson(2, 48)
    m = F.backtest(y, form="A,N,A")
    v = y.to_numpy()
    scale = np.mean(np.abs(v[12:36] - v[:24]))
    naive_err = np.mean(np.abs(v[36:] - v[24:36]))
    assert m[F.SNAIVE] == pytest.approx(naive_err / scale)


def test_small_short_and_gappy_series_are_refused():
    small = _seasonal_poisson(3, 48, mean=25)
    with pytest.raises(F.ForecastRefused, match="too small"):
        F.forecast_series(small)
    with pytest.raises(F.ForecastRefused, match="at least 36"):
        F.forecast_series(_seasonal_poisson(3, 30))
    gappy = _seasonal_poisson(4, 48)
    gappy.iloc[5:12] = np.nan
    with pytest.raises(F.ForecastRefused, match="missing"):
        F.forecast_series(gappy)


def test_a_gap_is_estimated_for_fitting_only_and_reported():
    y = _seasonal_poisson(5, 48)
    y.iloc[20] = np.nan
    fc = F.forecast_series(y, 6, run_backtest=False)
    assert fc.estimated_months == [y.index[20]]
    filled, _ = F.estimate_gaps(y)
    assert filled.iloc[20] == pytest.approx((y.iloc[8] + y.iloc[32]) / 2)
    assert (fc.table[["mean", "lo80", "lo95"]] >= 0).all().all()  # clipped at zero


def test_small_area_borrows_the_district_seasonal_pattern():
    district = _seasonal_poisson(6, 48, mean=400)
    area = _seasonal_poisson(7, 48, mean=6)
    fc = F.forecast_borrowed_season(area, district, 12)
    factors = F.seasonal_index(district)
    total = area.iloc[-12:].sum()
    expect = (total + 0.5) * factors.reindex(fc.table["month"].dt.month).to_numpy() / 12
    np.testing.assert_allclose(fc.table["mean"], expect)
    assert fc.method == F.BORROWED
    assert (fc.table["lo95"] <= fc.table["mean"]).all()
    assert (fc.table["hi95"] >= fc.table["hi80"]).all()
