"""Cached loaders for the Action plan page (cleared after every edit)."""

from __future__ import annotations

import pandas as pd

from csp_dash.plan import calendar, store
from csp_dash.plan.status import MeasureRow, measure_rows
from csp_dash.ui.cache import cached
from csp_dash.ui.state import get_engine

TTL = 600


@cached(ttl=TTL, show_spinner=False)
def plan_frames(url: str) -> dict[str, pd.DataFrame]:
    return store.frames(get_engine(url))


@cached(ttl=TTL, show_spinner="Computing each measure from the data…")
def rows(url: str) -> list[MeasureRow]:
    return measure_rows(get_engine(url))


@cached(ttl=TTL, show_spinner=False)
def calendar_entries(url: str) -> pd.DataFrame:
    return calendar.list_entries(get_engine(url))


@cached(ttl=TTL, show_spinner=False)
def agreed(url: str) -> tuple[int | None, list[str]]:
    return store.agreed_priorities(get_engine(url))


def clear() -> None:
    for fn in (plan_frames, rows, calendar_entries):
        fn.clear()
