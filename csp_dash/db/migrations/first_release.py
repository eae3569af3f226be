"""Frozen copy of the first release's schema (commit 27334a9), for revision 0001.

Never edit: a revision must create what that release created, whatever today's schema says.
Its own MetaData, apart from the app's.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# --- schema.py

schema_meta = Table(
    "schema_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# One row per loaded force-month file: the ingest log and the unit of replacement.
ingest_files = Table(
    "ingest_files", metadata,
    Column("source", String(32), primary_key=True),  # "police" or a partner dataset name
    Column("force", String(64), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rows_loaded", Integer, nullable=False),
    Column("rows_no_location", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("loaded_at", DateTime, nullable=False),
)

# Street crime exactly as police.uk gives it, plus a location key for area assignment.
crimes = Table(
    "crimes", metadata,
    Column("force", String(64), nullable=False),
    Column("month", Date, nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("crime_id", String(64)),
    Column("reported_by", Text),
    Column("falls_within", Text),
    Column("longitude", Double),
    Column("latitude", Double),
    Column("location_key", BigInteger),
    Column("location", Text),
    Column("lsoa_code", String(16)),
    Column("lsoa_name", Text),
    Column("category", String(64), nullable=False),
    Column("outcome", Text),
    Column("context", Text),
)
# DuckDB scans are fast and its indexes slow bulk loads; PostgreSQL needs the index for replaces.
Index("ix_crimes_force_month", crimes.c.force, crimes.c.month).ddl_if(dialect="postgresql")

rejects = Table(
    "rejects", metadata,
    Column("source", String(32), nullable=False),
    Column("force", String(64), nullable=False),
    Column("month", Date, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text),
)

layers = Table(
    "layers", metadata,
    Column("layer", String(64), primary_key=True),
    Column("source_file", Text),
    Column("code_field", String(128)),
    Column("name_field", String(128)),
    Column("n_areas", Integer, nullable=False),
    Column("population_source", Text),  # "imported: file", "interpolated from lsoa by area", or NULL
    Column("loaded_at", DateTime, nullable=False),
)

areas = Table(
    "areas", metadata,
    Column("layer", String(64), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("geometry", Text),  # GeoJSON geometry in EPSG:4326
    Column("area_km2", Double),
    Column("centroid_lon", Double),
    Column("centroid_lat", Double),
    Column("population", Double),
    Column("households", Double),
)

# Which area of each layer a snapped police.uk map point falls in ("" = outside every area).
location_areas = Table(
    "location_areas", metadata,
    Column("layer", String(64), primary_key=True),
    Column("location_key", BigInteger, primary_key=True),
    Column("area_code", String(64), nullable=False),
)

# The monthly cube every page reads: month x layer x area x category -> count.
cube = Table(
    "cube", metadata,
    Column("source", String(32), nullable=False),
    Column("month", Date, nullable=False),
    Column("layer", String(64), nullable=False),
    Column("area_code", String(64), nullable=False),
    Column("category", String(64), nullable=False),
    Column("count", Integer, nullable=False),
)
Index("ix_cube_layer_month", cube.c.layer, cube.c.month).ddl_if(dialect="postgresql")

category_themes = Table(
    "category_themes", metadata,
    Column("category", String(64), primary_key=True),
    Column("theme", String(64), nullable=False),
    Column("sort_order", Integer, nullable=False),
)


# --- schema_shared.py

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


# --- schema_trends.py

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


# --- schema_partner.py

# One row per dataset (e.g. "police_da"): its mapping as JSON, reused on every re-import.
partner_datasets = Table(
    "partner_datasets",
    metadata,
    Column("dataset", String(32), primary_key=True),
    Column("theme", String(64), nullable=False),  # "Domestic abuse", "Hate", "Fire" ...
    Column("unit", String(16), nullable=False),  # "records" (crimes, incidents) or "referrals"
    Column("mapping", Text, nullable=False),  # JSON: column names and formats, never values
    # HMAC of a fixed text under the pseudonym secret: detects a changed secret, reveals nothing
    Column("secret_check", String(64)),
    Column("updated_at", DateTime, nullable=False),
)

# The ingest log: one row per loaded file version; the unit of idempotency.
partner_files = Table(
    "partner_files",
    metadata,
    Column("file_id", Integer, primary_key=True, autoincrement=False),
    Column("dataset", String(32), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),  # of the file's bytes
    Column("mapping_sha256", String(64), nullable=False),  # of the mapping used
    Column("first_month", Date),
    Column("last_month", Date),
    Column("rows_loaded", Integer, nullable=False),
    Column("rows_no_location", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("loaded_at", DateTime, nullable=False),
)

# Accepted records, one per partner row. flags is "|domestic|repeat|" style text so that any
# flag name can be filtered with a portable LIKE; "" means no flag.
partner_records = Table(
    "partner_records",
    metadata,
    Column("dataset", String(32), nullable=False),
    Column("file_id", Integer, nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("record_date", Date, nullable=False),
    Column("month", Date, nullable=False),
    Column("category", String(64), nullable=False),
    Column("location_key", BigInteger),  # from rounded coordinates, see csp_dash.locations
    Column("lsoa_code", String(16)),  # given, or point-in-polygon of the rounded point
    Column("estate_code", String(64)),  # only for rows located by estate name
    Column("flags", Text, nullable=False),
    Column("victim_key", String(64)),  # HMAC-SHA256 hex digest of the partner's key
)
Index(
    "ix_partner_records_dataset_month", partner_records.c.dataset, partner_records.c.month
).ddl_if(dialect="postgresql")

# Rejected rows: row number, reason and the mapped values other than the key.
partner_rejects = Table(
    "partner_rejects",
    metadata,
    Column("dataset", String(32), nullable=False),
    Column("file_id", Integer, nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text),
)


# --- schema_priorities.py

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
