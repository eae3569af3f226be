"""Frozen copy of the tables added between the first release and revision 0002 (commit
647645e), for revision 0002.

Never edit: a revision must create what it created then, whatever today's schema says.
Its own MetaData, apart from the app's.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# --- schema_access.py

# Who gets which role: an email address, or a claim value from the identity provider's token
# (kind "claim", subject e.g. "roles=CSP.Analyst").
access_roles = Table(
    "access_roles",
    metadata,
    Column("kind", String(8), primary_key=True),  # "email" or "claim"
    Column("subject", String(320), primary_key=True),  # lower-case email, or "claim=value"
    Column("role", String(16), nullable=False),
    Column("added_by", String(320), nullable=False),
    Column("added_at", DateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("audit_id", String(32), primary_key=True),
    Column("logged_at", DateTime, nullable=False),
    Column("actor", String(320), nullable=False),  # email, "local analyst", "participant ..."
    Column("role", String(16), nullable=False),
    Column("event", String(32), nullable=False),
    Column("detail", Text),
    Index("ix_audit_log_at", "logged_at"),
)


# --- schema_district.py

# One row (district_id = 1): how the district was declared. Its LSOAs are listed below; a
# record is inside when its LSOA code is one of them (docs/methods.md, "The district").
district_def = Table(
    "district_def", metadata,
    Column("district_id", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),  # lsoa layer, boundary, lsoa codes, name prefix
    Column("source", Text),  # the file, layer or prefix it came from
    Column("geometry", Text),  # GeoJSON in EPSG:4326: the outline (for maps and partner points)
    Column("declared_at", DateTime, nullable=False),
)

district_lsoas = Table(
    "district_lsoas", metadata,
    Column("lsoa_code", String(16), primary_key=True),
)

# English Indices of Deprivation by LSOA (decile 1 = the most deprived 10% in England).
deprivation = Table(
    "deprivation", metadata,
    Column("lsoa_code", String(16), primary_key=True),
    Column("imd_decile", Integer, nullable=False),
    Column("imd_rank", Integer),
    Column("source", Text, nullable=False),
)


# --- schema_plan.py

# An objective under an agreed priority (the priority by name, as in agreed_priorities).
plan_objectives = Table(
    "plan_objectives",
    metadata,
    Column("objective_id", Integer, primary_key=True, autoincrement=False),
    Column("priority", String(200), nullable=False),
    Column("name", Text, nullable=False),
    Column("sort_order", Integer, nullable=False),
)

plan_actions = Table(
    "plan_actions",
    metadata,
    Column("action_id", Integer, primary_key=True, autoincrement=False),
    Column("objective_id", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("owner", String(200), nullable=False),  # the owner organisation
    Column("lead", String(200)),  # the lead officer
    Column("start_date", Date),
    Column("due_date", Date),
    Column("status", String(16), nullable=False),  # csp_dash.plan.model.STATUSES
    Column("sort_order", Integer, nullable=False),
)

# Dated progress updates; kept across re-imports by (priority, objective, action) name.
plan_updates = Table(
    "plan_updates",
    metadata,
    Column("update_id", Integer, primary_key=True, autoincrement=False),
    Column("action_id", Integer, nullable=False),
    Column("update_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("comment", Text, nullable=False),
    Column("author", String(200)),
    Column("created_at", DateTime, nullable=False),
)

# A measure of an objective, linked to a live series in the cube.
plan_measures = Table(
    "plan_measures",
    metadata,
    Column("measure_id", Integer, primary_key=True, autoincrement=False),
    Column("objective_id", Integer, nullable=False),
    Column("series", String(200), nullable=False),  # "category:NAME", "theme:NAME", "dataset:NAME"
    Column("layer", String(64)),  # None: the district (the whole loaded area)
    Column("area", String(64)),
    Column("value", String(8), nullable=False),  # count, rate or harm
    Column("baseline_from", Date, nullable=False),
    Column("baseline_to", Date, nullable=False),
    Column("target_pct", Double),  # None: no target
    Column("direction", String(4), nullable=False),  # the improving direction: down or up
    Column("sort_order", Integer, nullable=False),
)

# Dates of a calendar entry (campaign week, operation, order); the entry itself is a row of
# the shared events table, so trend charts annotate it like any declared event.
plan_calendar = Table(
    "plan_calendar",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("owner", String(200)),
)

# Each recorded scrutiny review: the statuses at that date, so the next says what changed.
plan_reviews = Table(
    "plan_reviews",
    metadata,
    Column("review_id", Integer, primary_key=True, autoincrement=False),
    Column("reviewed_at", DateTime, nullable=False),
    Column("snapshot", Text, nullable=False),  # JSON: action and measure statuses by key
)


# --- schema_report.py

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
