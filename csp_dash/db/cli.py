"""`csp-dash db upgrade|current`: the database's schema revision, and bringing it up to date."""

from __future__ import annotations

import argparse

from sqlalchemy import inspect

from csp_dash.db.migrations import run as migrations


def _describe(engine) -> str:
    with engine.connect() as conn:
        rev = migrations.current(conn)
        made = inspect(conn).has_table("schema_meta")
    head = migrations.head()
    if rev == head:
        return f"{rev} (head: up to date)"
    if rev is None and not made:
        return f"none: an empty database (head: {head}; `csp-dash db upgrade` creates it)"
    if rev is None:
        return (f"none: made before the migrations (head: {head}; `csp-dash db upgrade` "
                "recognises it and upgrades it in place)")
    if rev not in migrations.revisions():
        return f"{rev}: newer than this CSP Dash (head: {head}); upgrade CSP Dash"
    return f"{rev} (head: {head}; `csp-dash db upgrade` brings it up to date)"


def cmd_db_current(args: argparse.Namespace) -> int:
    from csp_dash.db.engine import make_engine

    engine = make_engine(args.db)
    try:
        print(f"revision: {_describe(engine)}")
    finally:
        engine.dispose()
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from csp_dash.db.engine import init_db, make_engine

    engine = make_engine(args.db)
    try:
        before = migrations.current_revision(engine)
        init_db(engine)  # a newer database raises NewerDatabase: said plainly, nothing changed
        after = migrations.current_revision(engine)
    finally:
        engine.dispose()
    print(f"upgraded: {before or 'none'} -> {after}" if before != after else f"up to date: {after}")
    return 0


def register(sub, ingest_sub, add) -> None:
    parent = sub.add_parser("db", help="The database's schema: its revision, and upgrading it")
    dsub = parent.add_subparsers(dest="db_command", required=True)
    add(dsub, "current", cmd_db_current, "Show the database's schema revision and the newest one")
    add(dsub, "upgrade", cmd_db_upgrade, "Upgrade the database's schema in place (data kept)")
