"""Domestic abuse baselining (docs/methods.md, "Domestic abuse baselining"): SPC against a declared baseline, year on
year withheld across a declared break, DA as a share of violence, repeat victimisation.

A *break* is a declared event of a rebasing kind ("recording change" or "rebase", scoped to
domestic abuse or to everything). Nothing here detects a break from the data: the chart is
never rebased automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from csp_dash.analysis.periods import comparison_window, missing_months, window
from csp_dash.analysis.repeat import repeat_rate
from csp_dash.analysis.spc import spc_summary, xmr
from csp_dash.analysis.trends import change_stats
from csp_dash.events import REBASING_KINDS

SCOPE = "Domestic abuse"
Window = tuple[date, date]


@dataclass(frozen=True)
class Break:
    month: date
    label: str


def declared_breaks(events: pd.DataFrame) -> list[Break]:
    """Breaks from a csp_dash.events.list_events table (recording changes and rebases)."""
    rows = events[events["kind"].isin(REBASING_KINDS)] if len(events) else events
    return sorted(
        {
            Break(pd.Timestamp(m).date(), str(lab))
            for m, lab in zip(rows.get("month", []), rows.get("label", []), strict=True)
        },
        key=lambda b: (b.month, b.label),
    )


def monthly_series(counts: pd.DataFrame, first: date, last: date) -> pd.Series:
    """Counts by month from a cube table (month, count), every month first..last (0 if none)."""
    idx = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="MS")
    if counts.empty:
        return pd.Series(0, index=idx, dtype="int64", name="count")
    s = counts.groupby(pd.to_datetime(counts["month"]))["count"].sum()
    return s.reindex(idx, fill_value=0).astype("int64").rename("count")


def _label(d: date) -> str:
    return f"{d:%b %Y}"


@dataclass(frozen=True)
class BaselineSPC:
    """An XmR chart judged against a declared baseline.

    ``chart`` is the spc.xmr table for the judged points (from the baseline start on, or
    every point without a baseline) plus a ``phase`` column: "baseline", "after baseline"
    or, without a baseline, "segment N". ``context`` holds the points before the baseline:
    shown for context, never judged (they belong to the old recording practice).
    """

    chart: pd.DataFrame
    context: pd.Series
    baseline: Window | None
    rebased_at: list[date]
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        return spc_summary(self.chart)


def baseline_spc(
    monthly: pd.Series, baseline: Window | None, breaks: list[Break], improvement: str = "neutral"
) -> BaselineSPC:
    """SPC limits from the baseline only (spc.xmr with baseline_points = the baseline's
    length); later points are judged against them. A declared break after the baseline
    starts a new segment; one inside the baseline is reported, not acted on."""
    s = monthly.astype(float)
    first, last = s.index[0].date(), s.index[-1].date()
    notes: list[str] = []
    if baseline is not None and (baseline[0] > last or baseline[1] < first):
        notes.append(
            f"The declared baseline ({_label(baseline[0])} to {_label(baseline[1])}) is "
            "outside the data, so it is not used."
        )
        baseline = None
    if baseline is None:
        rebase = [b for b in breaks if first < b.month <= last]
        chart = xmr(s, rebase_at=[pd.Timestamp(b.month) for b in rebase], improvement=improvement)
        chart["phase"] = "segment " + (chart["segment"] + 1).astype(str)
        notes.append("No baseline is declared: each segment's limits use all of its points.")
        return BaselineSPC(chart, s.iloc[:0], None, [b.month for b in rebase], notes)

    start = max(baseline[0], first)
    judged = s[s.index >= pd.Timestamp(start)]
    in_base = judged.index <= pd.Timestamp(baseline[1])
    n_base = int(in_base.sum())
    if baseline[1] > last:
        notes.append(
            f"The baseline runs to {_label(baseline[1])}, past the data: the limits use "
            f"its {n_base} months so far."
        )
    inside = [b for b in breaks if start < b.month <= baseline[1]]
    for b in inside:
        notes.append(
            f"The baseline spans the recording change of {_label(b.month)} "
            f"({b.label}): its limits mix two recording practices."
        )
    rebase = [b for b in breaks if baseline[1] < b.month <= last]
    for b in rebase:
        notes.append(
            f"The recording change of {_label(b.month)} ({b.label}) starts a new segment "
            f"whose limits come from its first {n_base} months: declare a new baseline."
        )
    chart = xmr(
        judged,
        baseline_points=n_base,
        rebase_at=[pd.Timestamp(b.month) for b in rebase],
        improvement=improvement,
    )
    chart["phase"] = np.where(
        chart["baseline"] & (chart["segment"] == 0), "baseline", "after baseline"
    )
    return BaselineSPC(
        chart,
        s[s.index < pd.Timestamp(start)],
        (start, baseline[1]),
        [b.month for b in rebase],
        notes,
    )


def break_between(previous: Window, current: Window, breaks: list[Break]) -> Break | None:
    """The first declared break that separates two periods, or None.

    A break in month m splits the months before m from m onwards, so two periods are not
    comparable when previous start < m <= current end.
    """
    lo, hi = min(previous[0], current[0]), max(previous[1], current[1])
    return next((b for b in breaks if lo < b.month <= hi), None)


def withheld_reason(b: Break) -> str:
    return (
        f"Year-on-year change withheld: the recording change of {_label(b.month)} "
        f"({b.label}) falls inside the two years compared, so they are not comparable."
    )


@dataclass(frozen=True)
class YearOnYear:
    current_window: Window
    previous_window: Window
    current: int
    previous: int | None
    withheld: str | None  # the one-line reason the comparison is not shown, if it is not
    change: float | None = None
    pct: float | None = None
    z: float | None = None
    significant: bool = False
    direction: str | None = None


def _window_sum(s: pd.Series, w: Window) -> int:
    return int(s[(s.index >= pd.Timestamp(w[0])) & (s.index <= pd.Timestamp(w[1]))].sum())


def _value(x):
    return None if x is None or pd.isna(x) else float(x)


def year_on_year(monthly: pd.Series, end: date, breaks: list[Break],
                 loaded: list[date] | None = None, length: int = 12) -> YearOnYear:
    """The ``length`` months to ``end`` against their comparison window, withheld across a
    declared break or where either window has months with no data loaded (``loaded``,
    default: the months the series has)."""
    current = window(end, length)
    previous, _ = comparison_window(current)
    cur = _window_sum(monthly, current)
    brk = break_between(previous, current, breaks)
    if brk is not None:
        return YearOnYear(current, previous, cur, None, withheld_reason(brk))
    have = loaded if loaded is not None else list(monthly.dropna().index)
    gaps = missing_months([current, previous], have)
    if gaps:
        return YearOnYear(current, previous, cur, None,
                          f"Year-on-year change withheld: {len(gaps)} month(s) of the two periods "
                          f"have no data loaded (from {_label(gaps[0])}).")
    prev = _window_sum(monthly, previous)
    stats = {k: v[0] for k, v in change_stats(cur, prev).items()}
    return YearOnYear(current, previous, cur, prev, None, _value(stats["change"]),
                      _value(stats["pct"]), _value(stats["z"]), bool(stats["significant"]),
                      str(stats["direction"]))


def share_by_month(da_violence: pd.Series, violence: pd.Series) -> pd.DataFrame:
    """DA-flagged violence as a share of police.uk Violence and sexual offences, per month.

    Months without police.uk data (a missing file) get no share rather than a false one.
    """
    df = pd.DataFrame({"da_violence": da_violence, "violence": violence})
    df["da_violence"] = df["da_violence"].fillna(0).astype("int64")
    df["share"] = np.where(df["violence"] > 0, df["da_violence"] / df["violence"], np.nan)
    return df.rename_axis("month")


def share_of_violence(by_month: pd.DataFrame, window: Window) -> dict:
    """Share over a period, counting only months that have police.uk data."""
    w = by_month[
        (by_month.index >= pd.Timestamp(window[0])) & (by_month.index <= pd.Timestamp(window[1]))
    ]
    have = w["violence"].notna() & (w["violence"] > 0)
    da, vio = int(w.loc[have, "da_violence"].sum()), int(w.loc[have, "violence"].sum())
    return {
        "da_violence": da,
        "violence": vio,
        "share": da / vio if vio else float("nan"),
        "months": int(have.sum()),
        "months_in": [m.date() for m in w.index[have]],
        "months_without_police": [m.date() for m in w.index[~have]],
    }


def repeat_summary(records: pd.DataFrame, period: Window, window_days: int = 365) -> dict:
    """Repeat victimisation for victims with a record in the area in the period.

    ``records`` (victim_key, date, in_area) holds every record of victims seen in the area;
    a record elsewhere still makes them a repeat victim (csp_dash.analysis.repeat rules).
    """
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1]) + pd.offsets.MonthEnd(0)
    in_period = records["date"].between(start, end)
    keys = set(records.loc[in_period & records["in_area"], "victim_key"])
    mine = records[records["victim_key"].isin(keys)]
    return repeat_rate(mine[["victim_key", "date"]], period=(start, end), window_days=window_days)
