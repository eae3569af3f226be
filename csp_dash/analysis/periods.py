"""Periods: the window every figure covers, the window it is compared with, and gaps.

One meaning for the shared filters (docs/architecture.md, "Filters"): a figure covers the
``length`` months ending at the period end; it is compared with ``comparison_window`` of
that window; a comparison is made only when every month of both windows has data loaded
(``missing_months``). Windows are ``(first_month, last_month)`` tuples of first-of-month
dates, both inclusive.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

Window = tuple[date, date]


def month_start(value) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return pd.Timestamp(year=ts.year, month=ts.month, day=1)


def shift(month, months: int) -> date:
    return (month_start(month) + pd.DateOffset(months=months)).date()


def window(end, length: int) -> Window:
    """The ``length`` months ending with ``end``."""
    if length < 1:
        raise ValueError("a period needs at least one month")
    return shift(end, -(length - 1)), month_start(end).date()


def months_in(win: Window) -> list[date]:
    return list(pd.date_range(month_start(win[0]), month_start(win[1]), freq="MS").date)


def comparison_window(current: Window) -> tuple[Window, str]:
    """The window to compare with, and how to say it.

    Up to 12 months: the same months a year earlier, so seasonality cancels out ("change on
    last year"). Longer periods: the same number of months just before.
    """
    n = len(months_in(current))
    back = 12 if n <= 12 else n
    previous = (shift(current[0], -back), shift(current[1], -back))
    what = "the same months a year earlier" if n <= 12 else f"the previous {n} months"
    return previous, what


def label(win: Window) -> str:
    a, b = month_start(win[0]), month_start(win[1])
    return f"{a:%b %Y}" if a == b else f"{a:%b %Y} to {b:%b %Y}"


def missing_months(windows: Iterable[Window], loaded: Iterable) -> list[date]:
    """Months inside the windows with no data loaded: the one test of "both windows complete"."""
    have = {pd.Timestamp(m).to_period("M") for m in loaded}
    gaps = {m for win in windows for m in months_in(win) if pd.Timestamp(m).to_period("M") not in have}
    return sorted(gaps)


