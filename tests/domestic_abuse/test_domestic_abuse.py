"""Domestic abuse logic: baseline SPC by hand, year on year across a break, repeats, share."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from csp_dash.domestic_abuse.baseline import (
    Break,
    baseline_spc,
    break_between,
    declared_breaks,
    monthly_series,
    repeat_summary,
    share_by_month,
    share_of_violence,
    year_on_year,
)

# Hand-computed series. 4 months before the baseline (huge, to prove they are not used),
# a 6-month baseline, then 9 months judged against it.
CONTEXT = [1000, 900, 1100, 950]
BASE = [10, 12, 11, 13, 12, 14]  # mean 72 / 6 = 12
# moving ranges 2, 1, 2, 1, 2 -> mean MR 8 / 5 = 1.6
# UCL = 12 + 2.66 x 1.6 = 16.256, LCL = 12 - 4.256 = 7.744
AFTER = [13, 17, 13, 13, 13, 13, 13, 13, 9]
MONTHS = pd.date_range("2023-01-01", periods=len(CONTEXT + BASE + AFTER), freq="MS")
SERIES = pd.Series(CONTEXT + BASE + AFTER, index=MONTHS, dtype="int64")
BASELINE = (date(2023, 5, 1), date(2023, 10, 1))
CHANGE = Break(date(2023, 5, 1), "New DA flagging")


def test_limits_come_from_the_baseline_only():
    spc = baseline_spc(SERIES, BASELINE, [CHANGE])
    chart = spc.chart
    assert list(chart.index) == list(MONTHS[4:])  # judged from the baseline start
    assert list(spc.context) == CONTEXT  # shown, not judged
    assert chart["mean"].unique().tolist() == [12.0]
    assert chart["ucl"].iloc[0] == pytest.approx(16.256)
    assert chart["lcl"].iloc[0] == pytest.approx(7.744)
    assert chart["baseline"].tolist() == [True] * 6 + [False] * 9
    assert chart["phase"].tolist() == ["baseline"] * 6 + ["after baseline"] * 9
    assert spc.rebased_at == [] and spc.notes == []


def test_special_causes_after_the_baseline():
    chart = baseline_spc(SERIES, BASELINE, [CHANGE], improvement="down").chart
    # 17 > UCL 16.256: outside. The run strictly above 12 starts at the last baseline point
    # (14) and runs through the eight 13s and the 17: 9 points >= 7. 9 ends it (below 12).
    assert chart.index[chart["outside"]].tolist() == [pd.Timestamp("2023-12-01")]
    run = [False] * 5 + [True] * 9 + [False]
    assert chart["run_side"].tolist() == run
    assert not chart["run_trend"].any()
    # 2 of 3 beyond 12 + 2/3 x 4.256 = 14.837: only 17 is, so the rule never fires.
    assert not chart["two_of_three"].any()
    assert chart["variation"].tolist() == ["common"] * 5 + ["concern"] * 9 + ["common"]


def test_without_a_baseline_declared_breaks_start_segments():
    spc = baseline_spc(SERIES, None, [CHANGE])
    assert spc.rebased_at == [date(2023, 5, 1)]
    assert spc.chart["segment"].tolist() == [0] * 4 + [1] * 15
    # Segment 1 uses all 15 of its points: mean = (72 + 121) / 15.
    assert spc.chart["mean"].iloc[-1] == pytest.approx((sum(BASE) + sum(AFTER)) / 15)
    assert "No baseline is declared" in spc.notes[0]


def test_breaks_inside_and_after_the_baseline_are_reported():
    later = Break(date(2024, 1, 1), "Second change")
    inside = Break(date(2023, 7, 1), "Mid-baseline change")
    spc = baseline_spc(SERIES, BASELINE, [inside, later])
    assert spc.rebased_at == [date(2024, 1, 1)]
    assert spc.chart.loc["2024-01-01":, "segment"].unique().tolist() == [1]
    assert any("spans the recording change of Jul 2023" in n for n in spc.notes)
    assert any("starts a new segment" in n for n in spc.notes)


def test_break_between_edges():
    prev, cur = (date(2024, 4, 1), date(2025, 3, 1)), (date(2025, 4, 1), date(2026, 3, 1))
    # A break splits "before m" from "m onwards".
    assert break_between(prev, cur, [Break(date(2024, 4, 1), "x")]) is None  # both after it
    assert break_between(prev, cur, [Break(date(2024, 5, 1), "x")]) is not None
    assert break_between(prev, cur, [Break(date(2025, 4, 1), "x")]) is not None
    assert break_between(prev, cur, [Break(date(2026, 3, 1), "x")]) is not None
    assert break_between(prev, cur, [Break(date(2026, 4, 1), "x")]) is None  # after both


def test_year_on_year_is_withheld_across_a_break_with_a_reason():
    s = pd.Series(np.arange(1, 37), index=pd.date_range("2023-01-01", periods=36, freq="MS"))
    y = year_on_year(s, date(2025, 12, 1), [Break(date(2025, 1, 1), "New flagging")])
    assert y.current == sum(range(25, 37)) and y.previous is None and y.change is None
    assert y.withheld == (
        "Year-on-year change withheld: the recording change of Jan 2025 "
        "(New flagging) falls inside the two years compared, so they are "
        "not comparable."
    )
    ok = year_on_year(s, date(2025, 12, 1), [Break(date(2024, 1, 1), "Old change")])
    # 2025: 25..36 = 366; 2024: 13..24 = 222; z = 2(sqrt 366 - sqrt 222) = 8.4646...
    assert (ok.current, ok.previous, ok.change) == (366, 222, 144)
    assert ok.z == pytest.approx(2 * (366**0.5 - 222**0.5)) and ok.significant
    short = year_on_year(s, date(2023, 12, 1), [])
    assert short.withheld.endswith("12 month(s) of the two periods have no data loaded (from Jan 2022).")


def test_declared_breaks_keep_rebasing_kinds_only():
    ev = pd.DataFrame(
        {
            "month": pd.to_datetime(["2024-04-01", "2024-06-01", "2025-01-01"]),
            "label": ["Change", "Campaign", "Rebase"],
            "kind": ["recording change", "note", "rebase"],
        }
    )
    assert declared_breaks(ev) == [
        Break(date(2024, 4, 1), "Change"),
        Break(date(2025, 1, 1), "Rebase"),
    ]


def test_monthly_series_fills_quiet_months_with_zero():
    counts = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-03-01"]), "count": [5, 7]})
    s = monthly_series(counts, date(2023, 12, 1), date(2024, 3, 1))
    assert s.tolist() == [0, 5, 0, 7]


def _rec(key: str, day: str, in_area: bool = True) -> dict:
    return {"victim_key": key, "date": pd.Timestamp(day), "in_area": in_area}


def test_repeat_summary_window_edges_and_area():
    records = pd.DataFrame(
        [
            _rec("A", "2024-01-10"),
            _rec("A", "2025-01-09"),  # 365 days apart: a repeat
            _rec("B", "2024-01-10"),
            _rec("B", "2025-01-10"),  # 366 days apart: not a repeat
            _rec("C", "2025-06-01", in_area=False),  # never in the area: not counted
            _rec("D", "2025-02-01", in_area=False),
            _rec("D", "2025-03-01"),  # repeat, elsewhere first
            _rec("E", "2025-05-01"),
            _rec("E", "2025-05-01"),  # same day: one incident
        ]
    )
    r = repeat_summary(records, (date(2025, 1, 1), date(2025, 12, 1)))
    # Victims with an in-area record in 2025: A, B, D, E; repeat victims: A and D.
    assert (r["victims"], r["repeat_victims"], r["repeat_rate"]) == (4, 2, 0.5)


def test_share_of_violence_skips_months_without_police_data():
    months = pd.date_range("2025-01-01", periods=3, freq="MS")
    da = pd.Series([30, 40, 50], index=months)
    police = pd.Series([100.0, np.nan, 200.0], index=months)  # February's file is missing
    by_month = share_by_month(da, police)
    assert by_month["share"].tolist()[0] == pytest.approx(0.3)
    assert np.isnan(by_month["share"].iloc[1])
    s = share_of_violence(by_month, (date(2025, 1, 1), date(2025, 3, 1)))
    assert (s["da_violence"], s["violence"], s["months"]) == (80, 300, 2)
    assert s["share"] == pytest.approx(80 / 300)
    assert s["months_without_police"] == [date(2025, 2, 1)]
