"""What keying the cache by the data version costs a page run (docs/architecture.md,
"Several replicas").

    python -m benchmarks.bench_data_version [--rows 200000] [--runs 15] [--pg URL]

Generates police.uk rows (not timed), ingests them into a DuckDB file (or the PostgreSQL
database --pg names), then, in one run: the median time of the per-run version read (one
single-row query on a pooled connection); the median AppTest rerun of the Overview with a
warm cache (the baseline); and the median rerun after another engine bumps the version
(every cached query read again, as on a replica after a load). Prints the ratios of the
first and the last to the baseline. Not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def build(folder: Path, rows: int, pg: str | None) -> str:
    from benchmarks.generate import generate
    from csp_dash.db.engine import init_db, make_engine
    from csp_dash.ingest.police import ingest_police

    generate(folder / "police", rows, forces=2)
    url = pg or f"duckdb:///{folder / 'bench.duckdb'}"
    eng = make_engine(url)
    init_db(eng)
    ingest_police(eng, [folder / "police"])
    eng.dispose()
    return url


def version_reads(url: str, n: int = 300) -> list[float]:
    from csp_dash.db.engine import make_engine
    from csp_dash.db.version import current

    eng = make_engine(url)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        with eng.connect() as conn:
            current(conn)
        out.append(time.perf_counter() - t0)
    eng.dispose()
    return out


def reruns(url: str, runs: int) -> tuple[list[float], list[float]]:
    """Seconds per Overview rerun: warm cache; and just after another engine's write."""
    from streamlit.testing.v1 import AppTest

    from csp_dash.db.engine import make_engine
    from csp_dash.db.version import bump

    os.environ["CSP_DASH_DB_URL"] = url
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=300)
    at.run()
    at.run()  # untimed: warm every cache
    warm, after_write = [], []
    writer = make_engine(url)
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
        with writer.begin() as conn:
            bump(conn)
        t0 = time.perf_counter()
        at.run()
        after_write.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(at.exception[0].value)
    writer.dispose()
    return warm, after_write


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--pg", help="a PostgreSQL URL (an empty database) instead of DuckDB")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = build(Path(tmp), args.rows, args.pg)
        read = _median_ms(version_reads(url))
        warm, after = (_median_ms(s) for s in reruns(url, args.runs))
    engine = "PostgreSQL" if args.pg else "DuckDB"
    print(f"{engine}, {args.rows:,} rows, {args.runs} reruns each")
    print(f"version read (per run):         {read:8.2f} ms  = {read / warm:.1%} of a warm rerun")
    print(f"Overview rerun, warm cache:     {warm:8.1f} ms  (baseline)")
    print(f"Overview rerun after a bump:    {after:8.1f} ms  = {after / warm:.1f}x the baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
