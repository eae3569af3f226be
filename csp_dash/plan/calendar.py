"""The partnership calendar: campaign weeks, operations and orders with their dates.

Each entry is a declared event (``csp_dash.events``, kind campaign, operation or order) so
trend charts annotate it like any other, plus its dates in ``plan_calendar``. Calendar kinds
never rebase an SPC chart (only "recording change" and "rebase" do).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select

from csp_dash.db.schema_plan import plan_calendar
from csp_dash.db.schema_shared import events as events_table
from csp_dash.db.version import bump
from csp_dash.events import KINDS

CALENDAR_KINDS = ("campaign", "operation", "order")


def add_entry(engine: Engine, label: str, kind: str, start: date, end: date | None = None,
              scope: str = "all", owner: str | None = None) -> int:
    """Add a dated calendar entry; returns its event id."""
    if kind not in CALENDAR_KINDS or kind not in KINDS:
        raise ValueError(f"a calendar entry is one of {', '.join(CALENDAR_KINDS)}")
    if end is not None and end < start:
        raise ValueError("the entry ends before it starts")
    label = " ".join((label or "").split())
    if not label:
        raise ValueError("a calendar entry needs a label")
    with engine.begin() as conn:  # the event and its dates together, or neither
        event_id = (conn.execute(select(func.max(events_table.c.event_id))).scalar() or 0) + 1
        conn.execute(insert(events_table).values(
            event_id=event_id, month=date(start.year, start.month, 1), label=label, scope=scope,
            kind=kind, created_at=datetime.now(UTC).replace(tzinfo=None)))
        conn.execute(insert(plan_calendar).values(event_id=event_id, start_date=start,
                                                  end_date=end, owner=(owner or None)))
        bump(conn)
    return event_id


def delete_entry(engine: Engine, event_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(delete(plan_calendar).where(plan_calendar.c.event_id == event_id))
        conn.execute(delete(events_table).where(events_table.c.event_id == event_id))
        bump(conn)


def list_entries(engine: Engine) -> pd.DataFrame:
    """Calendar entries, soonest first: event_id, start, end, label, kind, scope, owner."""
    e, c = events_table.c, plan_calendar.c
    stmt = (select(e.event_id, c.start_date.label("start"), c.end_date.label("end"), e.label,
                   e.kind, e.scope, c.owner)
            .select_from(events_table.join(plan_calendar, c.event_id == e.event_id))
            .where(e.kind.in_(CALENDAR_KINDS))
            .order_by(c.start_date, e.event_id))
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    for col in ("start", "end"):
        df[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in df[col]]
    return df
