"""Tables for the Strategic Assessment: the analyst's narrative edits per assessment period."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, String, Table, Text

from csp_dash.db.schema import metadata

# One row per edited block of one assessment (period end); drafted text is never stored, so
# regenerating redrafts it from the data while an edit, once made, is kept until reverted.
report_narrative = Table(
    "report_narrative", metadata,
    Column("period_end", Date, primary_key=True),
    Column("block_key", String(128), primary_key=True),
    Column("text", Text, nullable=False),
    Column("edited_by", String(128), nullable=False),
    Column("edited_at", DateTime, nullable=False),
)
