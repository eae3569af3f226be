"""Declared events (recording changes, rebases) and baseline periods, stored for every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, or_, select

from csp_dash.db.schema_shared import baselines, events
from csp_dash.db.version import bump

# campaign, operation and order: the partnership calendar (csp_dash.plan.calendar).
KINDS = ("recording change", "rebase", "note", "campaign", "operation", "order")
# Kinds that start a new SPC segment: never rebase automatically, only where a user declared it.
REBASING_KINDS = ("recording change", "rebase")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _first_of_month(d: date) -> date:
    return date(d.year, d.month, 1)


def add_event(engine: Engine, month: date, label: str, scope: str = "all",
              kind: str = "recording change") -> int:
    if kind not in KINDS:
        raise ValueError(f"event kind must be one of {', '.join(KINDS)}")
    if not label.strip():
        raise ValueError("an event needs a label")
    with engine.begin() as conn:
        next_id = (conn.execute(select(func.max(events.c.event_id))).scalar() or 0) + 1
        conn.execute(insert(events).values(event_id=next_id, month=_first_of_month(month),
                                           label=label.strip(), scope=scope, kind=kind,
                                           created_at=_now()))
        bump(conn)
    return next_id


def delete_event(engine: Engine, event_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(delete(events).where(events.c.event_id == event_id))
        bump(conn)


def list_events(engine: Engine, scopes: list[str] | None = None) -> pd.DataFrame:
    """Events for the given scopes (plus those scoped "all"), oldest first."""
    stmt = select(events.c.event_id, events.c.month, events.c.label, events.c.scope, events.c.kind)
    if scopes is not None:
        stmt = stmt.where(or_(events.c.scope == "all", events.c.scope.in_(scopes)))
    with engine.connect() as conn:
        df = pd.read_sql(stmt.order_by(events.c.month, events.c.event_id), conn)
    df["month"] = pd.to_datetime(df["month"])
    return df


@dataclass(frozen=True)
class Baseline:
    scope: str
    start: date
    end: date
    note: str | None


def set_baseline(engine: Engine, scope: str, start: date, end: date, note: str | None = None) -> None:
    start, end = _first_of_month(start), _first_of_month(end)
    if end < start:
        raise ValueError("the baseline ends before it starts")
    with engine.begin() as conn:
        conn.execute(delete(baselines).where(baselines.c.scope == scope))
        conn.execute(insert(baselines).values(scope=scope, start_month=start, end_month=end,
                                              note=note, created_at=_now()))
        bump(conn)


def get_baseline(engine: Engine, scope: str) -> Baseline | None:
    with engine.connect() as conn:
        row = conn.execute(select(baselines.c.start_month, baselines.c.end_month, baselines.c.note)
                           .where(baselines.c.scope == scope)).first()
    if row is None:
        return None
    return Baseline(scope, pd.Timestamp(row[0]).date(), pd.Timestamp(row[1]).date(), row[2])


def clear_baseline(engine: Engine, scope: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(baselines).where(baselines.c.scope == scope))
        bump(conn)
