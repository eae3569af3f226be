"""SQLAlchemy Core schema: one definition that runs on DuckDB and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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

# schema_meta's schema_version: 1 before Alembic, 2 since (the revision is in alembic_version);
# a release from before refuses a database marked 2.
SCHEMA_VERSION = 2

metadata = MetaData()

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
# No index on either engine: indexes slow bulk loads, and replacing a force-month scans one
# month (on PostgreSQL the table is partitioned by month: db/partitions.py, made by
# engine.create_fresh; docs/architecture.md, "Ingest pipeline").

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
