"""Measure status on crafted series, against hand-computed expectations.

Every series has a baseline of Jan-Dec 2022 alternating 100, 110 (mean 105, mean moving
range 10, so process limits 105 +/- 26.6 = 78.4 to 131.6; 12-month equivalent 1,260) and a
latest 12 months of Jan-Dec 2023 made for each case.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from csp_dash.plan.measure import measure_status

BASE = [100.0, 110.0] * 6
WINDOW = (date(2022, 1, 1), date(2022, 12, 1))


def series(latest, base=BASE) -> pd.Series:
    return pd.Series([*base, *latest], index=pd.date_range("2022-01-01", periods=24, freq="MS"))


def test_improving_target_met():
    st = measure_status(series([95.0] * 12), WINDOW, direction="down", target_pct=-5)
    assert st.baseline == pytest.approx(1260.0)
    assert st.latest == pytest.approx(1140.0)
    assert st.change_pct == pytest.approx((1140 - 1260) / 1260 * 100)  # -9.52%
    assert st.target_met is True
    assert st.trend == "improving"
    # The last baseline point (110) is above the mean, so the run below it is the 12 latest.
    assert st.sentence == ("Improving: 12 months in a row below the baseline mean; "
                           "target met (-9.5% against a target of -5%).")


def test_worsening_target_missed():
    st = measure_status(series([115.0] * 12), WINDOW, direction="down", target_pct=-5)
    assert st.latest == pytest.approx(1380.0)
    assert st.change_pct == pytest.approx(120 / 1260 * 100)
    assert (st.target_met, st.trend) == (False, "worsening")
    # The last baseline point (110) is above the mean too: the run is 13 months long.
    assert st.sentence.startswith("Worsening: 13 months in a row above the baseline mean; "
                                  "target missed (+9.5% against a target of -5%)")


def test_up_is_better_turns_the_same_rise_into_improvement():
    st = measure_status(series([115.0] * 12), WINDOW, direction="up", target_pct=5)
    assert (st.target_met, st.trend) == (True, "improving")


def test_no_significant_change_and_the_target_edge():
    st = measure_status(series(BASE), WINDOW, target_pct=0)
    assert st.change_pct == pytest.approx(0.0)
    assert st.trend == "no significant change"
    assert st.target_met is True  # 0% is "at or beyond" a 0% target
    assert measure_status(series(BASE), WINDOW, target_pct=-5).target_met is False
    none = measure_status(series(BASE), WINDOW)
    assert none.target_met is None and "no target set" in none.sentence


def test_baseline_with_a_missing_month_is_averaged_over_the_months_loaded():
    base = list(BASE)
    base[2] = np.nan  # Mar 2022: no data loaded; a zero would drag the baseline down
    st = measure_status(series([95.0] * 12, base), WINDOW, target_pct=-5)
    expected = (1260 - 100) / 11 * 12  # 1,265.45
    assert st.baseline == pytest.approx(expected)
    assert st.change_pct == pytest.approx((1140 - expected) / expected * 100)  # -9.91%
    assert st.baseline_missing == [date(2022, 3, 1)]
    assert "baseline from 11 of 12 months (no data for Mar 2022)" in st.sentence
    assert st.trend == "improving"


def test_a_missing_latest_month_is_said_and_nothing_is_claimed():
    latest = [95.0] * 12
    latest[6] = np.nan
    st = measure_status(series(latest), WINDOW, target_pct=-5)
    assert (st.latest, st.change_pct, st.target_met) == (None, None, None)
    assert st.trend == "not comparable"
    assert st.latest_missing == [date(2023, 7, 1)]
    assert st.sentence == ("Not comparable: no data for Jul 2023 in the latest 12 months "
                           "(Jan 2023 to Dec 2023).")
    # A month absent from the series altogether is the same gap.
    assert measure_status(series(latest).dropna(), WINDOW).trend == "not comparable"


def test_spc_trend_of_seven_falling_points():
    latest = [110, 109, 108, 107, 106, 104, 103, 111, 105, 110, 100, 108]
    st = measure_status(series([float(v) for v in latest]), WINDOW, target_pct=-5)
    assert st.latest == pytest.approx(1281.0)
    assert st.trend == "improving"
    assert st.sentence == ("Improving: 7 months in a row falling; "
                           "target missed (+1.7% against a target of -5%).")


def test_spc_point_outside_the_limits():
    latest = [*BASE[:11], 140.0]  # above the upper limit of 131.6
    st = measure_status(series(latest), WINDOW, target_pct=-5)
    assert st.trend == "worsening"
    assert st.sentence.startswith("Worsening: 1 month above the upper process limit;")
    limits = st.spc.iloc[-1]
    assert limits["ucl"] == pytest.approx(131.6) and limits["lcl"] == pytest.approx(78.4)


def test_seven_in_a_row_below_the_mean_on_a_short_run():
    latest = [*BASE[:5], 100.0, 99, 98, 100, 97, 101, 96]  # the last 7 all below 105
    st = measure_status(series([float(v) for v in latest]), WINDOW)
    assert st.trend == "improving"
    assert st.sentence.startswith("Improving: 8 months in a row below the baseline mean")
