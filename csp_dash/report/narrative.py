"""Narrative edits per assessment period: stored with who and when, applied on every build.

Only edits are stored. A block without an edit is drafted afresh from the data each time, so
new data updates it; an edited block keeps the analyst's words through regeneration and new
data loads until it is reverted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, delete, insert, select

from csp_dash.db.schema_report import report_narrative
from csp_dash.db.version import bump
from csp_dash.report.model import Narrative, Report

MAX_TEXT = 20_000


def _month(d: date) -> date:
    return date(d.year, d.month, 1)


def stored_edits(engine: Engine, period_end: date) -> dict[str, dict]:
    """block key -> {text, edited_by, edited_at} for one assessment period."""
    n = report_narrative.c
    stmt = select(n.block_key, n.text, n.edited_by, n.edited_at).where(
        n.period_end == _month(period_end)
    )
    with engine.connect() as conn:
        return {k: {"text": t, "edited_by": b, "edited_at": a} for k, t, b, a in conn.execute(stmt)}


def save_edit(engine: Engine, period_end: date, block_key: str, text: str, who: str) -> None:
    """Store (replace) the edit of one block; empty text is refused (revert instead)."""
    text = text.strip()
    if not text:
        raise ValueError("a narrative block cannot be empty: revert it to the drafted text instead")
    if len(text) > MAX_TEXT:
        raise ValueError(f"a narrative block holds at most {MAX_TEXT:,} characters")
    if not who.strip():
        raise ValueError("an edit needs the name of who made it")
    n = report_narrative.c
    with engine.begin() as conn:
        conn.execute(delete(report_narrative).where(
            n.period_end == _month(period_end), n.block_key == block_key))
        conn.execute(insert(report_narrative).values(
            period_end=_month(period_end), block_key=block_key, text=text,
            edited_by=who.strip()[:128], edited_at=datetime.now(UTC).replace(tzinfo=None)))
        bump(conn)


def revert(engine: Engine, period_end: date, block_key: str) -> None:
    n = report_narrative.c
    with engine.begin() as conn:
        conn.execute(delete(report_narrative).where(
            n.period_end == _month(period_end), n.block_key == block_key))
        bump(conn)


def apply_edits(report: Report, edits: dict[str, dict]) -> None:
    """Put stored edits into the report's narrative blocks (drafted text kept beside them)."""
    for block in report.narratives():
        edit = edits.get(block.key)
        if edit:
            block.text = edit["text"]
            block.edited_by = edit["edited_by"]
            block.edited_at = edit["edited_at"]


def draft(key: str, title: str, text: str) -> Narrative:
    return Narrative(key=key, title=title, drafted=text, text=text)
