"""Tables for the trends page: imported comparison figures and improvement directions."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, Integer, String, Table, Text

from csp_dash.db.schema import metadata

# England and Wales, force or peer figures from an imported CSV (area, period, category, count,
# population). A period is a span of whole months: one month, or a year such as 2024/25.
comparison = Table(
    "comparison",
    metadata,
    Column("area", String(128), primary_key=True),
    Column("period_start", Date, primary_key=True),
    Column("period_end", Date, primary_key=True),
    Column("category", String(64), primary_key=True),
    Column("period_label", String(64), nullable=False),
    Column("count", Integer, nullable=False),
    Column("population", Float),
    Column("source_file", Text, nullable=False),
    Column("loaded_at", DateTime, nullable=False),
)

# Which way is better for each theme's SPC colouring ("down" for most crime).
theme_directions = Table(
    "theme_directions",
    metadata,
    Column("theme", String(64), primary_key=True),
    Column("improvement", String(16), nullable=False),  # "down", "up" or "neutral"
    Column("edited_at", DateTime, nullable=False),
)
