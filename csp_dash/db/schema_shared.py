"""Tables several pages share: declared events and baselines, and edited harm weights."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Double, Integer, String, Table, Text

from csp_dash.db.schema import metadata

# Known events such as a recording-practice change: annotated on charts, used to rebase SPC.
events = Table(
    "events", metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=False),
    Column("month", Date, nullable=False),
    Column("label", Text, nullable=False),
    Column("scope", String(128), nullable=False),  # "all", a theme, a category or a dataset
    Column("kind", String(32), nullable=False),  # "recording change", "rebase" or "note"
    Column("created_at", DateTime, nullable=False),
)

# A declared baseline period per series (e.g. domestic abuse after a recording change).
baselines = Table(
    "baselines", metadata,
    Column("scope", String(128), primary_key=True),
    Column("start_month", Date, nullable=False),
    Column("end_month", Date, nullable=False),
    Column("note", Text),
    Column("created_at", DateTime, nullable=False),
)

# User edits to harm weights; shipped defaults live in csp_dash/data/harm_weights.csv.
harm_weights = Table(
    "harm_weights", metadata,
    Column("scheme", String(16), primary_key=True),
    Column("category", String(64), primary_key=True),
    Column("weight", Double, nullable=False),
    Column("edited_at", DateTime, nullable=False),
)
