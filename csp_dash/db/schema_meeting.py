"""Tables for meeting packs: a named, ordered list of saved views a chair presents (docs/architecture.md,
"Meeting mode")."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from csp_dash.db.schema import metadata

meeting_packs = Table(
    "meeting_packs",
    metadata,
    Column("pack_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("created", DateTime, nullable=False),
)

# One saved view a slide: the page's url path and its query string (filters, controls, tab).
meeting_slides = Table(
    "meeting_slides",
    metadata,
    Column("pack_id", Integer, primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("page", String(100), nullable=False),
    Column("query", Text, nullable=False),
    Column("title", String(200), nullable=False),
)
