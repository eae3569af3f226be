"""Engine factory and idempotent schema creation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, insert, inspect, select, update
from sqlalchemy.engine import make_url

from csp_dash import config
from csp_dash.db import (
    schema_access,
    schema_district,
    schema_meeting,
    schema_partner,
    schema_plan,
    schema_priorities,
    schema_report,
    schema_shared,
    schema_trends,
)
from csp_dash.db.migrations import run as migrations
from csp_dash.db.partitions import create_partitioned
from csp_dash.db.schema import SCHEMA_VERSION, category_themes, crimes, metadata, schema_meta
from csp_dash.vocab import DEFAULT_THEMES

# Each feature keeps its tables in its own module on the shared metadata: imported here, so
# a renamed module fails at import instead of silently leaving its tables out.
TABLE_MODULES = [schema_shared, schema_trends, schema_partner, schema_priorities,
                 schema_district, schema_plan, schema_access, schema_report,
                 schema_meeting]


def make_engine(url: str | None = None) -> Engine:
    """Create the engine for a URL (or the configured one), creating a DuckDB file's folder."""
    url = config.db_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "duckdb" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url)


def init_db(engine: Engine) -> None:
    """Create, recognise or upgrade the schema (Alembic), seed defaults; safe to repeat.

    A fresh database is made by create_all and stamped at the head revision
    (docs/architecture.md, "Schema and migrations")."""
    with engine.begin() as conn:
        migrations.lock(conn)  # replicas starting together take turns
        version = _legacy_version(conn)
        if version is not None and version > SCHEMA_VERSION:
            raise migrations.NewerDatabase(
                f"The database has schema version {version}, newer than this CSP Dash "
                f"({SCHEMA_VERSION}). Upgrade CSP Dash."
            )
        if migrations.upgrade(conn, create_fresh):
            rebuild_derived(conn)
        if version is None:
            conn.execute(insert(schema_meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
            conn.execute(insert(schema_meta).values(key="created_at", value=datetime.now(UTC).isoformat()))
        elif version < SCHEMA_VERSION:  # tells an older CSP Dash the database is newer
            conn.execute(update(schema_meta).where(schema_meta.c.key == "schema_version")
                         .values(value=str(SCHEMA_VERSION)))
        if conn.execute(select(category_themes.c.category).limit(1)).first() is None:
            conn.execute(insert(category_themes), [
                {"category": c, "theme": t, "sort_order": i}
                for i, (c, t) in enumerate(DEFAULT_THEMES.items())
            ])


def _legacy_version(conn: Connection) -> int | None:
    """schema_meta's schema_version (None on an empty database)."""
    if not inspect(conn).has_table("schema_meta"):
        return None
    value = conn.execute(select(schema_meta.c.value).where(schema_meta.c.key == "schema_version")).scalar()
    return None if value is None else int(value)


def rebuild_derived(conn: Connection) -> None:
    """When a revision asked (migrations.request_rebuild), refill the cubes with this release's
    code: a revision changes their shape, never fills them (docs/architecture.md, "Schema and
    migrations")."""
    from csp_dash.db.cube import rebuild_cube

    rebuild_cube(conn)
    if conn.execute(select(schema_partner.partner_datasets.c.dataset).limit(1)).first():
        from csp_dash.ingest.partner.cube import rebuild_all_partner_cubes  # slow to import

        rebuild_all_partner_cubes(conn)


def create_fresh(conn: Connection) -> None:
    """Today's schema on an empty database; on PostgreSQL crimes is partitioned by month."""
    partitioned = conn.dialect.name == "postgresql"
    metadata.create_all(conn, tables=[t for t in metadata.sorted_tables
                                      if not (partitioned and t is crimes)])
    if partitioned:
        create_partitioned(conn, crimes)


DEMO_FLAG = "demo_dataset"  # schema_meta key: set while (and after) the demo is loaded
DEMO_BUILDING = "building"


def demo_flag(engine_or_conn) -> str | None:
    """The demo's label in a demo database ("building" while it loads), else None."""
    stmt = select(schema_meta.c.value).where(schema_meta.c.key == DEMO_FLAG)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            return conn.execute(stmt).scalar()
    return engine_or_conn.execute(stmt).scalar()
