"""The audit log: who did what, when. Append-only; the admin reads and exports it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, insert, select

from csp_dash.db.schema_access import audit_log

# Every kind of event the app records.
EVENTS = {
    "sign_in": "Signed in",
    "view_restricted": "Viewed restricted material",
    "export_restricted": "Exported restricted material",
    "data_upload": "Loaded data",
    "settings": "Changed a setting",
    "weights": "Changed harm weights",
    "events": "Changed declared events",
    "baseline": "Changed a baseline",
    "scoring_model": "Changed the scoring model or scores",
    "roles": "Changed roles",
    "workshop": "Opened, closed or reopened a workshop",
    "workshop_token_refused": "A workshop link was refused",
}


def record(engine: Engine, actor: str, role: str, event: str, detail: str = "") -> None:
    """Append one row; an unknown event name is a programming error."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    with engine.begin() as conn:
        conn.execute(insert(audit_log).values(
            audit_id=uuid.uuid4().hex, logged_at=datetime.now(UTC).replace(tzinfo=None),
            actor=actor[:320], role=role, event=event, detail=detail[:4000]))


def entries(engine: Engine, limit: int | None = None) -> pd.DataFrame:
    """The log, newest first."""
    q = select(audit_log.c.logged_at, audit_log.c.actor, audit_log.c.role, audit_log.c.event,
               audit_log.c.detail).order_by(audit_log.c.logged_at.desc(), audit_log.c.audit_id)
    if limit:
        q = q.limit(limit)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).fetchall(),
                            columns=["at", "actor", "role", "event", "detail"])
