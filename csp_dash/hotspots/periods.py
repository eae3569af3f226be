"""Periods for the hotspot page: the analysis window, its comparison window, and sub-periods.

Windows are ``(first_month, last_month)`` tuples of first-of-month dates, both inclusive,
as in ``csp_dash.analysis.trends``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from csp_dash.analysis.periods import (
    Window,
    month_start,
    months_in,
    window,
)

SubPeriod = Literal["month", "quarter"]
SUB_PERIODS: dict[str, str] = {"month": "months", "quarter": "quarters"}


def sub_periods(win: Window, kind: SubPeriod = "month") -> list[Window]:
    """Consecutive sub-periods, oldest first. Quarters are 3-month blocks counted back from the
    window's last month; where the length is not a multiple of 3 the oldest block is shorter."""
    months = months_in(win)
    if kind == "month":
        return [(m, m) for m in months]
    if kind != "quarter":
        raise ValueError("sub-periods are 'month' or 'quarter'")
    blocks = []
    for stop in range(len(months), 0, -3):
        start = max(stop - 3, 0)
        blocks.append((months[start], months[stop - 1]))
    return blocks[::-1]


_RANGE = re.compile(r"^(\d{4}-\d{2}):(\d{4}-\d{2})$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_LATEST = re.compile(r"^(\d{1,3})m$")


def parse_period(text: str | None, first: date, last: date) -> Window:
    """A window from the command line: 'YYYY-MM:YYYY-MM', 'YYYY-MM' (one month) or 'Nm' (the
    latest N months). None: the latest 12 months, or the whole loaded span if shorter."""
    if text is None:
        n = min(12, len(months_in((first, last))))
        return window(last, n)
    text = text.strip()
    if m := _RANGE.match(text):
        win = (month_start(m.group(1)).date(), month_start(m.group(2)).date())
    elif _MONTH.match(text):
        win = (month_start(text).date(), month_start(text).date())
    elif m := _LATEST.match(text):
        win = window(last, int(m.group(1)))
    else:
        raise ValueError(f"period '{text}': use YYYY-MM:YYYY-MM, YYYY-MM or Nm (e.g. 12m)")
    if win[1] < win[0]:
        raise ValueError(f"period '{text}' ends before it starts")
    return win
