"""Tables for the Strategic Risk Assessment: candidates, scores, survey, workshops, agreed lists.

Workshop submissions are append-only: a participant's re-submission adds rows and never
updates old ones, so the history is kept and concurrent writers never contend for a row.
Each submission carries an id made by the client (uuid4), so a retried insert is refused by
the primary key instead of being stored twice.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from csp_dash.db.schema import metadata

# Candidate priorities: one per theme (seeded) plus free-text issues the analyst adds.
priority_candidates = Table(
    "priority_candidates",
    metadata,
    Column("candidate_id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # "theme" (seeded) or "issue" (added)
    Column("series_kind", String(16)),  # "theme", "category", "dataset" or NULL (no data)
    Column("series_value", String(200)),  # the theme, category or partner dataset name
    Column("description", Text),
    Column(
        "active", Boolean, nullable=False
    ),  # retired candidates stay so seeding won't re-add them
    Column("sort_order", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# The analyst's own scores: overrides of the data-driven proposals and draft partner scores.
priority_scores = Table(
    "priority_scores",
    metadata,
    Column("candidate_id", String(36), primary_key=True),
    Column("dimension", String(32), primary_key=True),
    Column("score", Float, nullable=False),
    Column("note", Text),
    Column("updated_at", DateTime, nullable=False),
)

# Stored scoring models (scales, weights, direction) as JSON; "default" is the analyst's.
priority_models = Table(
    "priority_models",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("model_json", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Consultation surveys: one row per loaded file, answers long (respondent x theme).
surveys = Table(
    "surveys",
    metadata,
    Column("survey_id", String(64), primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column(
        "kind", String(8), nullable=False
    ),  # "rating" (high = more concern) or "rank" (1 = most)
    Column("scale_min", Float, nullable=False),
    Column("scale_max", Float, nullable=False),
    Column("layer", String(64)),  # the area layer respondents' areas were matched against
    Column("n_respondents", Integer, nullable=False),
    Column("n_answers", Integer, nullable=False),
    Column("unmatched_areas", Text),  # area values that matched no area of the layer
    Column("loaded_at", DateTime, nullable=False),
)

survey_answers = Table(
    "survey_answers",
    metadata,
    Column("survey_id", String(64), nullable=False),
    Column("respondent", String(64), nullable=False),
    Column("area_code", String(64)),  # NULL where the respondent gave no area
    Column("area_given", Text),  # the area as written in the file
    Column("theme", String(200), nullable=False),
    Column("answer", Float, nullable=False),
)
Index("ix_survey_answers_survey", survey_answers.c.survey_id).ddl_if(dialect="postgresql")

# A workshop for a year: model, dimensions and the data-driven evidence frozen when it opens.
workshops = Table(
    "workshops",
    metadata,
    Column("workshop_id", String(36), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("status", String(8), nullable=False),  # "open" or "closed"
    Column("dimensions", Text, nullable=False),  # comma list of the dimensions partners score
    Column("model_json", Text, nullable=False),
    Column("evidence_note", Text),  # period, area and survey the proposals came from
    Column("opened_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
)

workshop_candidates = Table(
    "workshop_candidates",
    metadata,
    Column("workshop_id", String(36), primary_key=True),
    Column("candidate_id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("link", Text),  # the linked data series in words
    Column("sort_order", Integer, nullable=False),
)

# Snapshot of the data-driven proposals (and analyst overrides) the room sees.
workshop_proposals = Table(
    "workshop_proposals",
    metadata,
    Column("workshop_id", String(36), primary_key=True),
    Column("candidate_id", String(36), primary_key=True),
    Column("dimension", String(32), primary_key=True),
    Column("score", Float),
    Column("evidence", Text),
    Column("volume", Float),  # the count behind the volume score (bubble size)
)

# Append-only: one row per submission (one participant, one candidate, one moment).
workshop_submissions = Table(
    "workshop_submissions",
    metadata,
    Column("submission_id", String(36), primary_key=True),  # uuid4 made by the client
    Column("workshop_id", String(36), nullable=False),
    Column("participant_key", String(200), nullable=False),  # name + organisation, case-folded
    Column("participant", String(120), nullable=False),
    Column("organisation", String(120), nullable=False),
    Column("candidate_id", String(36), nullable=False),
    Column("comment", Text),
    Column("submitted_at", DateTime, nullable=False),
)
Index("ix_workshop_submissions_workshop", workshop_submissions.c.workshop_id).ddl_if(
    dialect="postgresql"
)

workshop_scores = Table(
    "workshop_scores",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("dimension", String(32), primary_key=True),
    Column("score", Float, nullable=False),
)

# The agreed list per year with a rationale per priority; last year's feeds the movement view.
agreed_priorities = Table(
    "agreed_priorities",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("rationale", Text),
    Column("workshop_id", String(36)),  # NULL when imported (e.g. last year's from a spreadsheet)
    Column("priority_score", Float),
    Column("recorded_at", DateTime, nullable=False),
)
