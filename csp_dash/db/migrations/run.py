"""Bring a database to this release's schema: create it, recognise it, or upgrade it in place.

A fresh database is made by create_all and stamped at the head revision; a database without
Alembic's version table but with schema_meta (the first release, or any release before the
migrations) is stamped at the first release's revision and upgraded (its later revisions
check what is already there). See docs/architecture.md, "Schema and migrations".

Alembic is imported only when a revision has to run: opening an up-to-date database (every
page load) reads the version with plain SQL and the revision ids from the files' text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

FIRST_RELEASE = "0001_first_release"
VERSIONS = Path(__file__).parent / "versions"
# Serialises schema changes between processes starting at once (replicas); any fixed number.
_LOCK_KEY = 7_316_203
_REBUILD = "csp_dash_rebuild_derived"  # conn.info key set by request_rebuild
_ASSIGN = re.compile(r'^(revision|down_revision)\s*=\s*(?:"([^"]*)"|None)', re.M)


class NewerDatabase(ValueError, RuntimeError):
    """The database is newer than this CSP Dash: every command says so plainly (a ValueError)."""


def config_for(conn: Connection | None = None):
    """Alembic's configuration in code (no alembic.ini), running on `conn`."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    cfg.attributes["connection"] = conn
    return cfg


@cache
def revisions() -> tuple[str, ...]:
    """Every revision of this release, oldest first (one line of descent, no branches)."""
    parent: dict[str | None, str] = {}
    for path in VERSIONS.glob("[0-9]*.py"):
        found = dict((k, v or None) for k, v in _ASSIGN.findall(path.read_text()))
        if found.get("down_revision") in parent:
            raise RuntimeError(f"two revisions follow {found.get('down_revision')}: chain them")
        parent[found.get("down_revision")] = found["revision"]
    chain, rev = [], parent.get(None)
    while rev:
        chain.append(rev)
        rev = parent.get(rev)
    return tuple(chain)


def head() -> str:
    return revisions()[-1]


def current(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return current(conn)


def request_rebuild(conn: Connection) -> None:
    """Called by a revision that leaves the cubes stale (or empty): init_db refills them with
    this release's code once every revision has run."""
    conn.info[_REBUILD] = True


def lock(conn: Connection) -> None:
    """Until the caller's transaction ends, other processes changing the schema wait (PostgreSQL;
    a DuckDB file has one process). Take it before reading anything the change depends on."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def upgrade(conn: Connection, create_fresh: Callable[[Connection], None]) -> bool:
    """In the caller's transaction; True if a revision that ran asked for the cubes to be
    rebuilt. create_fresh makes today's schema on an empty database."""
    lock(conn)
    before, target = current(conn), head()
    if before == target:
        return False
    if before is not None and before not in revisions():
        raise NewerDatabase(f"The database has schema revision {before}, newer than this "
                            f"CSP Dash ({target}). Upgrade CSP Dash.")
    from alembic import command

    cfg = config_for(conn)
    if before is None:
        if not inspect(conn).has_table("schema_meta"):
            create_fresh(conn)
            command.stamp(cfg, "head")
            return False
        command.stamp(cfg, FIRST_RELEASE)  # made before the migrations existed
    conn.info.pop(_REBUILD, None)
    command.upgrade(cfg, "head")
    return bool(conn.info.pop(_REBUILD, False))
