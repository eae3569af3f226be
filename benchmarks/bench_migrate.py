"""Time upgrading a database made before the migrations, and opening an up-to-date one.

    python -m benchmarks.bench_migrate [--rows 1000000] [--db duckdb|postgresql] [--pg-url URL]

Fills today's tables the way a release before the migrations made them (crimes unpartitioned,
no alembic_version) with N generated crime rows over 20 months (not timed), then times:
`init_db`, which recognises the database and runs the revisions (on PostgreSQL: crimes into
monthly partitions; the cube is today's already, so it is not rebuilt); against a baseline in the same run, copying crimes once
(`CREATE TABLE ... AS SELECT`). Then the median `init_db` on the up-to-date database (every page
load and command opens one) against a bare `SELECT 1`. Not a test: prints figures, exits 0
(docs/architecture.md, "Performance").
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FILL = """INSERT INTO crimes (force, month, row_no, crime_id, category, location_key, lsoa_code)
SELECT 'force' || (i % 43), make_date(2023 + (i % 20) / 12, 1 + (i % 20) % 12, 1), i,
       md5(i::text), 'Burglary', i % 50000, 'E0' || (i % 3000) FROM generate_series(1, {n}) AS g(i)"""


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(args: argparse.Namespace) -> None:
    import alembic.command  # noqa: F401  imported before timing, as in a running app

    import csp_dash.db.cube  # noqa: F401
    from csp_dash.db.engine import init_db, make_engine
    from csp_dash.db.migrations import run as migrations
    from csp_dash.db.schema import metadata, schema_meta

    if args.db == "duckdb":
        url = f"duckdb:///{tempfile.mkdtemp(prefix='bench_migrate_')}/old.duckdb"
        admin, schema = None, None
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    try:
        metadata.create_all(engine)  # as before the migrations: crimes one table everywhere
        fill = FILL.format(n=args.rows)
        if args.db == "duckdb":
            fill = fill.replace("make_date(2023 + (i % 20) / 12", "make_date(2023 + (i % 20) // 12")
            fill = fill.replace("i::text", "CAST(i AS VARCHAR)").replace("i % 3000)", "CAST(i % 3000 AS VARCHAR))")
        with engine.begin() as conn:
            conn.execute(insert(schema_meta).values(key="schema_version", value="1"))
            conn.execute(text(fill))
        print("CSP Dash migration benchmark")
        load = "/".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"machine: nproc={len(os.sched_getaffinity(0))}, load {load}; engine {args.db}")
        print(f"data: {args.rows:,} crime rows over 20 months, made before the migrations")

        def copy() -> None:
            with engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE crimes_copy AS SELECT * FROM crimes")
                conn.exec_driver_sql("DROP TABLE crimes_copy")
        base = _timed(copy)
        up = _timed(lambda: init_db(engine))
        assert migrations.current_revision(engine) == migrations.head()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM crimes").scalar() == args.rows
        print(f"upgrade (revisions to {migrations.head()}): {up:.2f} s = "
              f"{args.rows / up:,.0f} rows/s")
        print(f"baseline, one copy of crimes (CREATE TABLE AS SELECT): {base:.2f} s")
        print(f"ratio upgrade / copy: {up / base:.1f}x")
        opens = []
        for _ in range(args.repeat):
            opens.append(_timed(lambda: init_db(engine)))

        def ping() -> None:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1").scalar()
        pings = [_timed(ping) for _ in range(args.repeat)]
        o, p = statistics.median(opens), statistics.median(pings)
        print(f"init_db on the up-to-date database: median {o * 1000:.1f} ms "
              f"(SELECT 1: {p * 1000:.1f} ms; ratio {o / p:.1f}x)")
    finally:
        engine.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        elif args.db == "duckdb":
            Path(url.removeprefix("duckdb:///")).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--db", choices=["duckdb", "postgresql"], default="postgresql")
    ap.add_argument("--pg-url", default=DEFAULT_PG_URL)
    ap.add_argument("--repeat", type=int, default=20)
    run(ap.parse_args(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
