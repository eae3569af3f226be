"""XmR chart tests on small hand-computed series (arithmetic worked in the comments)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from csp_dash.analysis.spc import SPC_COLUMNS, spc_summary, xmr

# A baseline used below: [12, 8, 12, 8] -> mean 10, moving ranges 4, 4, 4 -> mean MR 4,
# UCL = 10 + 2.66 * 4 = 20.64, LCL = 10 - 10.64 = -0.64,
# two-thirds of the way to a limit: 10 +/- (2/3) * 10.64 = 17.0933 / 2.9067.
BASE = [12, 8, 12, 8]


def test_limits_hand_computed():
    # values 10, 12, 11, 13, 12: mean 58 / 5 = 11.6; MRs 2, 1, 2, 1 -> mean MR 1.5
    # UCL = 11.6 + 2.66 * 1.5 = 15.59; LCL = 11.6 - 3.99 = 7.61
    df = xmr([10, 12, 11, 13, 12])
    assert list(df.columns) == SPC_COLUMNS
    assert df["mean"].iloc[0] == pytest.approx(11.6)
    assert df["ucl"].iloc[0] == pytest.approx(15.59)
    assert df["lcl"].iloc[0] == pytest.approx(7.61)
    assert np.isnan(df["mr"].iloc[0])
    assert df["mr"].iloc[1:].tolist() == [2, 1, 2, 1]
    assert not df["special"].any()
    assert (df["variation"] == "common").all()
    # 5 points is below Making Data Count's 12-15 for stable limits
    assert df.attrs["warnings"] and "5 points" in df.attrs["warnings"][0]


def test_limits_match_plain_formula_on_random_series():
    rng = np.random.default_rng(7)
    y = rng.poisson(40, size=30).astype(float)
    df = xmr(y)
    mr_bar = np.abs(np.diff(y)).mean()
    assert df["ucl"].iloc[-1] == pytest.approx(y.mean() + 2.66 * mr_bar)
    assert df["lcl"].iloc[-1] == pytest.approx(y.mean() - 2.66 * mr_bar)
    assert df.attrs["warnings"] == []


def test_fixed_baseline_and_outside_points_coloured():
    # Baseline = first 5 points (limits 7.61 to 15.59 as above). 16 > 15.59 is outside
    # (high: a concern when down is better); 7 < 7.61 is outside (low: an improvement).
    # Without the fixed baseline: mean 81 / 7 = 11.571, MRs 2,1,2,1,4,9 -> 19 / 6 = 3.1667,
    # UCL = 11.571 + 8.423 = 19.995, so 16 would not be outside.
    values = [10, 12, 11, 13, 12, 16, 7]
    df = xmr(values, baseline_points=5)
    assert df["ucl"].tolist() == pytest.approx([15.59] * 7)
    assert df["baseline"].tolist() == [True] * 5 + [False] * 2
    assert df["outside"].tolist() == [False] * 5 + [True, True]
    assert df["variation"].tolist()[-2:] == ["concern", "improvement"]
    # 16 and 7 are beyond two-thirds (14.26 / 8.94) but on opposite sides: no 2-of-3
    assert not df["two_of_three"].any()

    whole = xmr(values)
    assert whole["ucl"].iloc[0] == pytest.approx(81 / 7 + 2.66 * 19 / 6)
    assert not whole["outside"].iloc[5]

    up = xmr(values, baseline_points=5, improvement="up")
    assert up["variation"].tolist()[-2:] == ["improvement", "concern"]
    neutral = xmr(values, baseline_points=5, improvement="neutral")
    assert neutral["variation"].tolist()[-2:] == ["neutral", "neutral"]


def test_run_of_seven_on_one_side_flagged():
    # BASE then seven points above the mean of 10 (idx 4..10), then one below.
    values = BASE + [11, 12, 11, 12, 11, 12, 11] + [9]
    df = xmr(values, baseline_points=4)
    assert df["mean"].iloc[-1] == pytest.approx(10)
    assert df["run_side"].tolist() == [False] * 4 + [True] * 7 + [False]
    assert df["variation"].tolist()[4:11] == ["concern"] * 7
    assert not df["outside"].any() and not df["two_of_three"].any()
    assert not df["run_trend"].any()


def test_run_of_six_on_one_side_not_flagged():
    values = BASE + [11, 12, 11, 12, 11, 12] + [9]
    df = xmr(values, baseline_points=4)
    assert not df["run_side"].any()
    assert not df["special"].any()


def test_point_on_the_mean_breaks_a_run():
    # 3 above, one exactly on the mean (10), then 4 above: no run of 7.
    values = BASE + [11, 12, 11, 10, 12, 11, 12, 11]
    df = xmr(values, baseline_points=4)
    assert not df["run_side"].any()


def test_trend_of_seven_rising_flagged_and_coloured_by_direction():
    # Baseline [0, 20, 0, 20]: mean 10, mean MR 20, limits 10 +/- 53.2: nothing else fires.
    # 9, 10, ..., 15 are seven points each above the one before (six rises), then 14.
    # 9 sits below the mean, but it is part of a rising trend: a concern when down is better.
    values = [0, 20, 0, 20] + list(range(9, 16)) + [14]
    df = xmr(values, baseline_points=4)
    assert df["run_trend"].tolist() == [False] * 4 + [True] * 7 + [False]
    assert df["variation"].tolist()[4:11] == ["concern"] * 7
    assert not df["run_side"].any() and not df["outside"].any()


def test_trend_of_six_not_flagged_and_ties_break_trend():
    six = xmr([0, 20, 0, 20] + list(range(9, 15)) + [13], baseline_points=4)
    assert not six["run_trend"].any()
    # Baseline [20, 0, 20, 0] (mean 10, mean MR 20) ends on a low, so 0 -> 15 is a rise.
    # 15, 14, 13, 13, 12, 11, 10, 9: the repeated 13 breaks a fall of 8 points into 3 + 5.
    tie = xmr([20, 0, 20, 0, 15, 14, 13, 13, 12, 11, 10, 9], baseline_points=4)
    assert not tie["run_trend"].any()
    # without the tie, 15..9 is a falling trend of 7: an improvement when down is better
    fall = xmr([20, 0, 20, 0, 15, 14, 13, 12, 11, 10, 9], baseline_points=4)
    assert fall["run_trend"].tolist() == [False] * 4 + [True] * 7
    assert fall["variation"].tolist()[4:] == ["improvement"] * 7


def test_two_of_three_beyond_two_thirds():
    # Beyond two-thirds high means > 17.0933 (see BASE). 18, 9, 18: two of three beyond,
    # same side -> the two 18s are flagged, the 9 between them is not. 18 < UCL 20.64.
    df = xmr(BASE + [11, 18, 9, 18, 11], baseline_points=4)
    assert df["two_of_three"].tolist() == [False] * 5 + [True, False, True, False]
    assert df["variation"].tolist()[5:8] == ["concern", "common", "concern"]
    assert not df["outside"].any()


def test_two_of_three_needs_same_window_and_same_side():
    # 18 ... 18 three apart: no window of 3 holds both.
    apart = xmr(BASE + [11, 18, 9, 11, 18, 11], baseline_points=4)
    assert not apart["two_of_three"].any()
    # 18 (> 17.09) and 2 (< 2.907) are both beyond two-thirds, but on opposite sides.
    sides = xmr(BASE + [11, 18, 2, 11], baseline_points=4)
    assert not sides["two_of_three"].any()
    assert not sides["outside"].any()  # 2 > LCL -0.64


def test_moving_range_screen():
    # 10,11,10,11,10,20,10,11,10,11: mean 114 / 10 = 11.4; MRs 1,1,1,1,10,10,1,1,1 -> 27 / 9 = 3.
    # Unscreened: UCL 11.4 + 7.98 = 19.38, LCL 3.42.
    # Screen: drop MRs > 3.267 * 3 = 9.801 (the two 10s) -> mean MR 7 / 7 = 1,
    # UCL 11.4 + 2.66 = 14.06, LCL 8.74.
    values = [10, 11, 10, 11, 10, 20, 10, 11, 10, 11]
    plain = xmr(values)
    screened = xmr(values, mr_screen=True)
    assert plain["ucl"].iloc[0] == pytest.approx(19.38)
    assert plain["lcl"].iloc[0] == pytest.approx(3.42)
    assert screened["ucl"].iloc[0] == pytest.approx(14.06)
    assert screened["lcl"].iloc[0] == pytest.approx(8.74)
    assert screened["outside"].tolist() == [False] * 5 + [True] + [False] * 4


def test_rebase_gives_each_segment_its_own_limits():
    # Segment 0: 10,12,11,13,12 -> mean 11.6, mean MR 1.5, limits 7.61 / 15.59.
    # Segment 1: 20,22,21,23,22 -> mean 21.6, MRs 2,1,2,1 -> 1.5, limits 17.61 / 25.59.
    # The jump 12 -> 20 is not a moving range of either segment.
    values = [10, 12, 11, 13, 12, 20, 22, 21, 23, 22]
    months = pd.date_range("2020-01-01", periods=10, freq="MS")
    series = pd.Series(values, index=months)
    by_position = xmr(values, rebase_at=[5])
    by_date = xmr(series, rebase_at=[date(2020, 6, 1)])
    mid_month = xmr(series, rebase_at=["2020-05-15"])  # first point on or after: June
    for df in (by_position, by_date, mid_month):
        assert df["segment"].tolist() == [0] * 5 + [1] * 5
        assert df["mean"].tolist() == pytest.approx([11.6] * 5 + [21.6] * 5)
        assert df["ucl"].tolist() == pytest.approx([15.59] * 5 + [25.59] * 5)
        assert df["lcl"].tolist() == pytest.approx([7.61] * 5 + [17.61] * 5)
        assert np.isnan(df["mr"].iloc[5])
        assert not df["special"].any()
    assert by_date.index.equals(months)
    # without the rebase the step change shows up as special cause
    assert xmr(values)["special"].any()


def test_summary_reports_latest_point():
    months = pd.date_range("2023-01-01", periods=9, freq="MS")
    df = xmr(pd.Series(BASE + [11, 18, 9, 18, 11], index=months), baseline_points=4)
    s = spc_summary(df)
    assert s["latest_label"] == pd.Timestamp("2023-09-01")
    assert s["latest_variation"] == "common"
    assert s["special_points"] == 2 and s["concern_points"] == 2
    assert s["baseline_points"] == 4
    assert "Sep 2023" in s["message"] and "common-cause" in s["message"]
    assert s["warning"] is not None

    concern = spc_summary(xmr(BASE + [11, 18, 9, 18], baseline_points=4))
    assert concern["latest_variation"] == "concern"
    assert "concern" in concern["message"]


def test_bad_input_rejected():
    with pytest.raises(ValueError):
        xmr([])
    with pytest.raises(ValueError):
        xmr([1.0, np.nan, 3.0])
    with pytest.raises(ValueError):
        xmr([1, 2, 3], improvement="sideways")
    with pytest.raises(ValueError):
        xmr([1, 2, 3], rebase_at=[5])
