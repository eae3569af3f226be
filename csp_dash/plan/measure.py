"""A measure's status from its monthly series: pure, no database (docs/methods.md, "Action plan").

- ``latest``: the total of the latest 12 months (ending at the last loaded month); withheld
  when any of those months has no data loaded.
- ``baseline``: the baseline period's 12-month equivalent, the mean of its loaded months x 12;
  a baseline month with no data is left out of the mean and named, never counted as zero.
- ``change_pct``: ``analysis.trends.change_stats`` of latest against baseline (the one home of
  the comparison arithmetic).
- ``target_met``: change_pct at or beyond target_pct in the improving direction; None where
  there is no target or no comparison.
- ``trend``: an XmR chart (``analysis.spc.xmr``) with limits from the baseline months only;
  the latest special-cause point within the latest 12 months decides "improving" or
  "worsening"; none gives "no significant change".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from csp_dash.analysis import periods
from csp_dash.analysis.spc import xmr
from csp_dash.analysis.trends import change_stats

IMPROVING, WORSENING, NO_CHANGE, NOT_COMPARABLE = (
    "improving", "worsening", "no significant change", "not comparable",
)
TRENDS = (IMPROVING, WORSENING, NO_CHANGE, NOT_COMPARABLE)


@dataclass
class MeasureStatus:
    baseline: float | None
    latest: float | None
    change_pct: float | None
    target_met: bool | None
    trend: str
    sentence: str
    baseline_window: periods.Window
    latest_window: periods.Window | None
    baseline_missing: list[date] = field(default_factory=list)
    latest_missing: list[date] = field(default_factory=list)
    spc: pd.DataFrame | None = None  # the XmR table behind the trend, for charts


def _months(items) -> str:
    items = list(items)
    shown = ", ".join(f"{pd.Timestamp(m):%b %Y}" for m in items[:4])
    return shown + (f" and {len(items) - 4} more" if len(items) > 4 else "")


def _monthly(series: pd.Series) -> pd.Series:
    s = series.copy()
    s.index = pd.DatetimeIndex(pd.to_datetime(s.index)).to_period("M").to_timestamp()
    return s.astype(float).sort_index()


def _run_length(flags: np.ndarray, pos: int) -> int:
    """Length of the run of equal, non-zero codes containing position ``pos``."""
    code, lo, hi = flags[pos], pos, pos
    while lo > 0 and flags[lo - 1] == code:
        lo -= 1
    while hi < len(flags) - 1 and flags[hi + 1] == code:
        hi += 1
    return hi - lo + 1


def _reason(spc: pd.DataFrame, pos: int, in_latest: np.ndarray) -> str:
    """Which Making Data Count rule fired at the special point, in words."""
    row = spc.iloc[pos]
    low = row["value"] < row["mean"]
    if row["outside"]:
        n = int((in_latest & (spc["value"] < spc["lcl"] if low else spc["value"] > spc["ucl"])).sum())
        limit = "below the lower" if low else "above the upper"
        return f"{'1 month' if n == 1 else f'{n} months'} {limit} process limit"
    if row["run_side"]:
        side = np.sign(spc["value"].to_numpy() - spc["mean"].to_numpy())
        n = _run_length(side, pos)
        return f"{n} months in a row {'below' if low else 'above'} the baseline mean"
    if row["run_trend"]:
        steps = np.sign(np.diff(spc["value"].to_numpy()))
        # the step into the point, or out of it when the point starts the run
        k = next(k for k in (pos - 1, pos) if 0 <= k < len(steps) and steps[k] != 0
                 and _run_length(steps, k) >= 6)
        n = _run_length(steps, k) + 1
        return f"{n} months in a row {'falling' if steps[k] < 0 else 'rising'}"
    return f"2 of 3 months close to the {'lower' if low else 'upper'} process limit"


def _target_words(target_pct: float | None, met: bool | None, pct: float | None) -> str:
    if target_pct is None:
        return "no target set"
    if met is None:
        return "target not judged"
    return (f"target {'met' if met else 'missed'} ({pct:+.1f}% against a target of "
            f"{target_pct:+g}%)".replace("+0%", "0%"))


def measure_status(
    series: pd.Series,
    baseline: periods.Window,
    *,
    direction: str = "down",
    target_pct: float | None = None,
    end=None,
) -> MeasureStatus:
    """The status of one measure. ``series``: monthly values indexed by month, NaN (or absent)
    where no data is loaded; a loaded month with no records is 0. ``end``: the last month of
    the latest 12 (default: the last loaded month)."""
    if direction not in ("down", "up"):
        raise ValueError("direction must be down or up")
    s = _monthly(series)
    loaded = s.dropna()
    base_win = (periods.month_start(baseline[0]).date(), periods.month_start(baseline[1]).date())
    base_missing = periods.missing_months([base_win], loaded.index)
    if loaded.empty:
        return MeasureStatus(None, None, None, None, NOT_COMPARABLE,
                             "Not comparable: no data is loaded for this series.",
                             base_win, None, base_missing, [])
    last = periods.month_start(end if end is not None else loaded.index.max())
    latest_win = periods.window(last, 12)
    latest_missing = periods.missing_months([latest_win], loaded.index)
    in_base = (loaded.index >= pd.Timestamp(base_win[0])) & (loaded.index <= pd.Timestamp(base_win[1]))
    base_vals = loaded[in_base]
    base_equiv = float(base_vals.mean() * 12) if len(base_vals) else None
    latest = None if latest_missing else float(
        loaded[(loaded.index >= pd.Timestamp(latest_win[0])) & (loaded.index <= last)].sum())
    comparable = base_equiv is not None and latest is not None
    pct = None
    if comparable:
        stats = change_stats(latest, base_equiv, comparable=True)
        pct = None if np.isnan(stats["pct"][0]) else float(stats["pct"][0])
    met = None
    if target_pct is not None and pct is not None:
        met = pct <= target_pct if direction == "down" else pct >= target_pct

    notes = []
    if base_missing:
        notes.append(f"baseline from {len(base_vals)} of {len(periods.months_in(base_win))} "
                     f"months (no data for {_months(base_missing)})")
    if not comparable or len(base_vals) < 2:
        why = (f"no data for {_months(latest_missing)} in the latest 12 months "
               f"({periods.label(latest_win)})" if latest_missing
               else f"the baseline {periods.label(base_win)} has too few months with data")
        return MeasureStatus(base_equiv, latest, pct, None, NOT_COMPARABLE,
                             "; ".join([f"Not comparable: {why}", *notes]) + ".",
                             base_win, latest_win, base_missing, latest_missing)

    spc_vals = loaded[(loaded.index >= pd.Timestamp(base_win[0])) & (loaded.index <= last)]
    spc = xmr(spc_vals, baseline_points=len(base_vals), improvement=direction)
    in_latest = np.asarray(spc.index >= pd.Timestamp(latest_win[0]))
    special = np.flatnonzero(in_latest & spc["variation"].isin(["improvement", "concern"]).to_numpy())
    if len(special):
        pos = int(special[-1])
        trend = IMPROVING if spc["variation"].iloc[pos] == "improvement" else WORSENING
        head = f"{trend.capitalize()}: {_reason(spc, pos, in_latest)}"
    else:
        trend = NO_CHANGE
        head = "No significant change: common-cause variation around the baseline mean"
    sentence = "; ".join([head, _target_words(target_pct, met, pct), *notes]) + "."
    return MeasureStatus(base_equiv, latest, pct, met, trend, sentence, base_win, latest_win,
                         base_missing, latest_missing, spc)
