"""Engine factory and idempotent schema creation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, select, text, update
from sqlalchemy.engine import make_url

from csp_dash import config
from csp_dash.db import (
    schema_access,
    schema_district,
    schema_partner,
    schema_plan,
    schema_priorities,
    schema_report,
    schema_shared,
    schema_trends,
)
from csp_dash.db.schema import SCHEMA_VERSION, category_themes, metadata, schema_meta
from csp_dash.vocab import DEFAULT_THEMES

# Each feature keeps its tables in its own module on the shared metadata: imported here, so
# a renamed module fails at import instead of silently leaving its tables out.
TABLE_MODULES = [schema_shared, schema_trends, schema_partner, schema_priorities,
                 schema_district, schema_plan, schema_access, schema_report]


def make_engine(url: str | None = None) -> Engine:
    """Create the engine for a URL (or the configured one), creating a DuckDB file's folder."""
    url = config.db_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "duckdb" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url)


def init_db(engine: Engine) -> None:
    """Create missing tables, seed defaults and record the schema version; safe to repeat."""
    metadata.create_all(engine, checkfirst=True)
    _add_missing_columns(engine)
    with engine.begin() as conn:
        version = conn.execute(
            select(schema_meta.c.value).where(schema_meta.c.key == "schema_version")
        ).scalar()
        if version is None:
            conn.execute(insert(schema_meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
            conn.execute(insert(schema_meta).values(key="created_at", value=datetime.now(UTC).isoformat()))
        elif int(version) > SCHEMA_VERSION:
            raise RuntimeError(
                f"The database has schema version {version}, newer than this CSP Dash "
                f"({SCHEMA_VERSION}). Upgrade CSP Dash."
            )
        elif int(version) < SCHEMA_VERSION:
            conn.execute(update(schema_meta).where(schema_meta.c.key == "schema_version")
                         .values(value=str(SCHEMA_VERSION)))
        if conn.execute(select(category_themes.c.category).limit(1)).first() is None:
            conn.execute(insert(category_themes), [
                {"category": c, "theme": t, "sort_order": i}
                for i, (c, t) in enumerate(DEFAULT_THEMES.items())
            ])




def _add_missing_columns(engine: Engine) -> None:
    """ALTER TABLE ... ADD COLUMN for columns a newer schema added (create_all never alters)."""
    for module in TABLE_MODULES:
        for table, column, sql_type in getattr(module, "ADDED_COLUMNS", []):
            with engine.connect() as conn:  # portable: DuckDB's inspector lacks get_columns
                have = set(conn.execute(select(text("*")).select_from(table).limit(0)).keys())
            if column not in have:
                with engine.begin() as conn:  # names are ours, never user input
                    conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column} {sql_type}"))


DEMO_FLAG = "demo_dataset"  # schema_meta key: set while (and after) the demo is loaded
DEMO_BUILDING = "building"


def demo_flag(engine_or_conn) -> str | None:
    """The demo's label in a demo database ("building" while it loads), else None."""
    stmt = select(schema_meta.c.value).where(schema_meta.c.key == DEMO_FLAG)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            return conn.execute(stmt).scalar()
    return engine_or_conn.execute(stmt).scalar()
