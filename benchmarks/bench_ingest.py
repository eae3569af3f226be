"""Time police.uk ingest against a naive pandas baseline, on DuckDB or PostgreSQL.

    python -m benchmarks.bench_ingest [--rows 1000000] [--forces 43] [--db duckdb|postgresql]
                                      [--pg-url URL] [--workdir DIR] [--keep] [--profile FILE]

Generates N rows as police.uk monthly files (not timed), then times, each step in its own
child process (so each peak RSS is its own) and each on a fresh database of the same engine:
CSP Dash ingest, pandas read_csv + to_sql, and a re-ingest of the same folder. Not a test:
it prints figures and exits 0 (docs/architecture.md, "Performance").
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

TARGET_ROWS_PER_S = 500_000
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NAIVE_CHUNK = 10_000
NAIVE_METHOD = (
    None  # pandas' default executemany: measured faster than method="multi" on both engines
)


def _cpu_s() -> float:
    """CPU seconds this process has used, all threads (on a shared machine, a steadier
    measure of work than wall time)."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _rss_mb() -> tuple[float, float]:
    """(current RSS, high-water RSS) of this process in MB."""
    with open("/proc/self/statm") as f:
        current = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- steps: each runs in a fresh spawned interpreter -------------------------------------


def step_csp(url: str, folder: str, profile: str | None = None) -> dict:
    """CSP Dash ingest of the whole folder into a fresh, initialised database."""
    from csp_dash.db.engine import init_db, make_engine
    from csp_dash.ingest.police import ingest_police

    engine = make_engine(url)
    init_db(engine)
    start_rss, _ = _rss_mb()
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    cpu0, t0 = _cpu_s(), time.perf_counter()
    report = ingest_police(engine, [folder])
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    if prof:
        prof.disable()
        prof.dump_stats(profile)
    engine.dispose()
    return dict(
        seconds=seconds,
        cpu=cpu,
        rows=report.total("rows"),
        no_location=report.total("no_location"),
        rejected=report.total("rejected"),
        files=len(report.files),
        refused=[f.error for f in report.refused],
        start_rss=start_rss,
        peak_rss=_rss_mb()[1],
    )


def step_naive(url: str, files: list[str], n_rows: int, budget: float) -> dict:
    """pandas read_csv + to_sql per file; stops early and extrapolates if it would run past budget."""
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(url)
    start_rss, _ = _rss_mb()
    done_rows = done_files = 0
    t0 = time.perf_counter()
    for path in files:
        df = pd.read_csv(path)
        df.to_sql(
            "naive_crimes",
            engine,
            if_exists="append",
            index=False,
            method=NAIVE_METHOD,
            chunksize=NAIVE_CHUNK,
        )
        done_rows += len(df)
        done_files += 1
        elapsed = time.perf_counter() - t0
        # Sample at least a tenth of the budget before judging the pace.
        if (
            elapsed > budget / 10
            and elapsed / done_rows * n_rows > budget
            and done_files < len(files)
        ):
            break
    seconds = time.perf_counter() - t0
    engine.dispose()
    return dict(
        seconds=seconds,
        rows=done_rows,
        files=done_files,
        files_total=len(files),
        start_rss=start_rss,
        peak_rss=_rss_mb()[1],
    )


def step_reingest(url: str, folder: str) -> dict:
    """Ingest the same folder again (should be all "unchanged"), then count what is stored."""
    from sqlalchemy import func, select

    from csp_dash.db.engine import make_engine
    from csp_dash.db.schema import crimes, cube
    from csp_dash.ingest.police import ingest_police

    engine = make_engine(url)
    start_rss, _ = _rss_mb()
    t0 = time.perf_counter()
    report = ingest_police(engine, [folder])
    seconds = time.perf_counter() - t0
    peak = _rss_mb()[1]
    with engine.connect() as conn:

        def layer_total(layer: str) -> int:
            return int(
                conn.execute(
                    select(func.coalesce(func.sum(cube.c["count"]), 0)).where(cube.c.layer == layer)
                ).scalar()
            )

        counts = dict(
            crimes=conn.execute(select(func.count()).select_from(crimes)).scalar(),
            cube_rows=conn.execute(select(func.count()).select_from(cube)).scalar(),
            cube_all=layer_total("all") + layer_total("_no_location"),
            cube_lsoa=layer_total("lsoa"),
        )
    engine.dispose()
    return dict(
        seconds=seconds,
        files=len(report.files),
        unchanged=sum(f.status == "unchanged" for f in report.files),
        start_rss=start_rss,
        peak_rss=peak,
        **counts,
    )


def _in_child(fn: Callable, *args) -> dict:
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# ---- databases ---------------------------------------------------------------------------


class Databases:
    """A fresh database per step: a DuckDB file in the workdir, or a PostgreSQL schema."""

    def __init__(self, kind: str, workdir: Path, pg_url: str) -> None:
        self.kind, self.workdir, self.pg_url = kind, workdir, pg_url
        self.schemas: list[str] = []
        self.tag = uuid.uuid4().hex[:8]

    def fresh(self, name: str) -> str:
        if self.kind == "duckdb":
            path = self.workdir / f"{name}.duckdb"
            for old in (path, path.with_name(path.name + ".wal")):  # kept from a run before
                old.unlink(missing_ok=True)
            return f"duckdb:///{path}"
        from sqlalchemy import create_engine, text

        schema = f"bench_{self.tag}_{name}"
        admin = create_engine(self.pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        self.schemas.append(schema)
        sep = "&" if "?" in self.pg_url else "?"
        return f"{self.pg_url}{sep}options=-csearch_path%3D{schema}"

    def describe(self) -> str:
        if self.kind == "duckdb":
            return "duckdb (a fresh database file per step)"
        from sqlalchemy import create_engine, text

        admin = create_engine(self.pg_url)
        with admin.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
        admin.dispose()
        return f"postgresql {version} (a fresh schema per step, dropped at the end)"

    def drop(self) -> None:
        if not self.schemas:
            return
        from sqlalchemy import create_engine, text

        admin = create_engine(self.pg_url)
        with admin.begin() as conn:
            for schema in self.schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# ---- report ------------------------------------------------------------------------------


def clean_workdir(workdir: Path, own_dir: bool, keep: bool) -> None:
    """Remove what a run wrote: the whole folder it made, or its files in a folder given."""
    if keep:
        print(f"kept: {workdir}")
    elif own_dir:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        shutil.rmtree(workdir / "police", ignore_errors=True)
        for p in workdir.glob("*.duckdb*"):
            p.unlink()


def _machine() -> str:
    import duckdb
    import pandas
    import pyarrow
    import sqlalchemy

    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: nproc={len(os.sched_getaffinity(0))}, load {load}, python "
        f"{platform.python_version()}, duckdb {duckdb.__version__}, pandas {pandas.__version__}, "
        f"pyarrow {pyarrow.__version__}, sqlalchemy {sqlalchemy.__version__}"
    )


def _mem(r: dict) -> str:
    return f"peak RSS {r['peak_rss']:,.0f} MB ({r['start_rss']:,.0f} MB at start)"


def _check(label: str, ok: bool) -> str:
    return f"check {label}: {'OK' if ok else 'FAIL'}"


def run(args: argparse.Namespace) -> None:
    from benchmarks import (
        bench_ingest as me,  # by module name, so spawned children can find the steps
    )
    from benchmarks.generate import generate

    own_dir = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="csp-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    dbs = Databases(args.db, workdir, args.pg_url)
    print("CSP Dash ingest benchmark")
    print(_machine())
    print(f"engine: {dbs.describe()}")
    try:
        t0 = time.perf_counter()
        gen = generate(workdir / "police", args.rows, args.forces)
        gen_s = time.perf_counter() - t0
        files = sorted(str(p) for p in gen.folder.rglob("*-street.csv"))
        print(
            f"data: {gen.rows:,} rows in {gen.files} files ({args.forces} forces x "
            f"{len(gen.months)} months, {gen.months[0]}..{gen.months[-1]}, "
            f"~{gen.rows // max(gen.files, 1):,} rows/file), {gen.bytes / 1e6:,.1f} MB, "
            f"no location {gen.no_location:,} ({gen.no_location / gen.rows:.2%}), "
            f"ASB {gen.asb:,}; generated in {gen_s:.1f} s (not timed)"
        )
        sys.stdout.flush()

        csp_url = dbs.fresh("csp")
        csp = _in_child(me.step_csp, csp_url, str(gen.folder))
        csp_rate = csp["rows"] / csp["seconds"]
        print(
            f"csp_dash ingest: {csp['rows']:,} rows in {csp['seconds']:.3f} s = "
            f"{csp_rate:,.0f} rows/s; {_mem(csp)}"
        )
        for err in csp["refused"][:5]:
            print(f"  refused: {err}")
        sys.stdout.flush()

        naive = _in_child(me.step_naive, dbs.fresh("naive"), files, gen.rows, args.baseline_budget)
        naive_rate = naive["rows"] / naive["seconds"]
        how = f"pandas read_csv + to_sql(method={NAIVE_METHOD}, chunksize={NAIVE_CHUNK:,})"
        if naive["files"] < naive["files_total"]:
            print(
                f"naive baseline: SAMPLED {naive['files']} of {naive['files_total']} files "
                f"({naive['rows']:,} rows in {naive['seconds']:.1f} s), extrapolated per row to "
                f"{gen.rows:,} rows in ~{gen.rows / naive_rate:,.0f} s = {naive_rate:,.0f} rows/s; "
                f"{_mem(naive)} [{how}]"
            )
        else:
            print(
                f"naive baseline: {naive['rows']:,} rows in {naive['seconds']:.3f} s = "
                f"{naive_rate:,.0f} rows/s; {_mem(naive)} [{how}]"
            )
        print(f"ratio csp_dash / baseline: {csp_rate / naive_rate:,.1f}x")
        sys.stdout.flush()

        again = _in_child(me.step_reingest, csp_url, str(gen.folder))
        print(
            f"re-ingest: {again['unchanged']} of {again['files']} files unchanged in "
            f"{again['seconds']:.3f} s; {_mem(again)}"
        )
        print(f"cube: {again['cube_rows']:,} rows")
        print(
            _check(
                f"crimes rows {again['crimes']:,} = N {gen.rows:,} - {csp['rejected']:,} rejects",
                again["crimes"] == gen.rows - csp["rejected"] and csp["rejected"] == 0,
            )
        )
        print(
            _check(
                f"cube total (all + no location) {again['cube_all']:,} = N {gen.rows:,}",
                again["cube_all"] == gen.rows,
            )
        )
        located = gen.rows - gen.no_location
        print(
            _check(
                f"cube total (layer lsoa) {again['cube_lsoa']:,} = N - no location {located:,}",
                again["cube_lsoa"] == located,
            )
        )
        print(
            _check(
                f"ingest report no location {csp['no_location']:,} = generated {gen.no_location:,}",
                csp["no_location"] == gen.no_location,
            )
        )
        print(
            _check(
                f"re-ingest unchanged {again['unchanged']} = files {gen.files}",
                again["unchanged"] == gen.files,
            )
        )
        verdict = "MET" if csp_rate >= TARGET_ROWS_PER_S else "NOT MET"
        print(
            f"target: {TARGET_ROWS_PER_S:,} rows/s for csp_dash ingest: {verdict} ({csp_rate:,.0f})"
        )

        if args.profile:
            _in_child(me.step_csp, dbs.fresh("profiled"), str(gen.folder), args.profile)
            _print_profile(args.profile)
    finally:
        dbs.drop()
        clean_workdir(workdir, own_dir, args.keep)


def _print_profile(path: str) -> None:
    import pstats

    print(f"profile (a separate, profiled ingest into a fresh database; stats in {path}):")
    stats = pstats.Stats(path, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--forces", type=int, default=43)
    ap.add_argument("--db", choices=["duckdb", "postgresql"], default="duckdb")
    ap.add_argument("--pg-url", default=DEFAULT_PG_URL)
    ap.add_argument(
        "--workdir", help="where to write files and DuckDB databases (default: a temp dir)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the workdir")
    ap.add_argument(
        "--baseline-budget",
        type=float,
        default=300.0,
        help="seconds the naive baseline may take before it is sampled (default 300)",
    )
    ap.add_argument("--profile", help="also run a cProfiled ingest and write its stats here")
    run(ap.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
