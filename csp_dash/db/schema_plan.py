"""Tables for the action plan: objectives, actions, progress updates, measures, the calendar
(dates of declared events of a calendar kind) and the snapshots of past scrutiny reviews."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Double, Integer, String, Table, Text

from csp_dash.db.schema import metadata

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
