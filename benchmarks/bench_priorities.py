"""Time the Priorities page and a 30-partner workshop against naive baselines in the same run.

    python -m benchmarks.bench_priorities [--engine duckdb|postgresql] [--pg-url URL]
                                          [--participants 30] [--workdir DIR]

Builds the synthetic demo (not timed), then times:

- the ranked list (proposals from the cube + ranking) against one raw GROUP BY of the same
  24 months of the cube;
- 30 partners submitting at once (threads on DuckDB, which has one writer process; threads
  with their own engine each on PostgreSQL): submission latency against one bare INSERT;
- the facilitator's 5-second refresh (``workshop_results``) against reading the raw rows;
- page reruns with AppTest (Priorities, and the facilitator's Workshop view).

Not a test: it prints figures and exits 0 (docs/architecture.md, "Performance").
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select, text

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _median_ms(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _database(kind: str, pg_url: str, workdir: Path) -> tuple[str, callable]:
    if kind == "duckdb":
        return f"duckdb:///{workdir / 'bench.duckdb'}", lambda: None
    from sqlalchemy import create_engine

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{pg_url}?options=-csearch_path%3D{schema}", drop


def bench_ranked(engine) -> None:
    from csp_dash.db.queries import month_range
    from csp_dash.db.schema import cube
    from csp_dash.priorities.candidates import ensure_candidates
    from csp_dash.priorities.models import analyst_score_grid, load_model
    from csp_dash.priorities.proposals import propose_from_data
    from csp_dash.priorities.table import ranked_table

    end = month_range(engine)[1]
    start = (pd.Timestamp(end) - pd.DateOffset(months=23)).date()

    def ours() -> None:
        model = load_model(engine)
        cands = ensure_candidates(engine)
        props = propose_from_data(engine, cands, end, model=model)
        ranked_table(cands, props, analyst_score_grid(engine), model)

    def naive() -> None:
        stmt = (
            select(cube.c.month, cube.c.category, func.sum(cube.c.count))
            .where(cube.c.layer == "all", cube.c.month >= start)
            .group_by(cube.c.month, cube.c.category)
        )
        with engine.connect() as conn:
            pd.DataFrame(conn.execute(stmt).all())

    a, b = _median_ms(ours), _median_ms(naive)
    print(
        f"ranked list (proposals + ranking): {a:7.1f} ms; raw cube GROUP BY {b:6.1f} ms; "
        f"ratio {a / b:5.1f}x"
    )


def bench_workshop(engine, url: str, n: int, kind: str) -> str:
    from csp_dash.db.engine import make_engine
    from csp_dash.db.queries import month_range
    from csp_dash.db.schema_priorities import workshop_submissions
    from csp_dash.priorities.candidates import ensure_candidates
    from csp_dash.priorities.models import analyst_score_grid, load_model
    from csp_dash.priorities.proposals import propose_from_data
    from csp_dash.priorities.table import evidence_grid, working_scores
    from csp_dash.priorities.workshop.results import workshop_results
    from csp_dash.priorities.workshop.sessions import candidates_of, get_workshop, open_workshop
    from csp_dash.priorities.workshop.submissions import Submission, submit
    from csp_dash.ui.priorities.data import snapshot  # noqa: F401  (import cost outside timing)

    model = load_model(engine)
    cands = ensure_candidates(engine)
    props = propose_from_data(engine, cands, month_range(engine)[1], model=model)
    scores, source = working_scores(
        props, analyst_score_grid(engine), pd.Index(cands["candidate_id"])
    )
    wid = open_workshop(
        engine,
        2099,
        "Benchmark",
        cands,
        scores,
        evidence_grid(props, source),
        model,
        volume=props.facts["current"],
    )
    ws = get_workshop(engine, wid)
    cids = list(candidates_of(engine, wid)["candidate_id"])
    rng = np.random.default_rng(0)
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def partner(i: int) -> None:
        eng = engine if kind == "duckdb" else make_engine(url)
        barrier.wait()
        for _round in range(2):  # everyone scores every candidate, then re-submits them all
            for cid in cids:
                s = Submission(
                    wid,
                    f"Partner {i}",
                    f"Org {i % 6}",
                    cid,
                    {d: int(rng.integers(1, 6)) for d in ws.dimensions},
                )
                t0 = time.perf_counter()
                submit(eng, s)
                with lock:
                    latencies.append((time.perf_counter() - t0) * 1000)
        if eng is not engine:
            eng.dispose()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=partner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(workshop_submissions)).scalar()

    def bare() -> None:
        with engine.begin() as conn:
            conn.execute(
                insert(workshop_submissions).values(
                    submission_id=uuid.uuid4().hex,
                    workshop_id="bare",
                    participant_key="b",
                    participant="b",
                    organisation="b",
                    candidate_id="b",
                    submitted_at=pd.Timestamp.now(),
                )
            )

    base = _median_ms(bare, 15)
    lat = np.array(latencies)
    print(
        f"{n} partners x {len(cids)} candidates x 2 rounds: {stored} submissions stored of "
        f"{len(lat)} sent in {wall:.1f} s; submit p50 {np.median(lat):.1f} ms, p95 "
        f"{np.percentile(lat, 95):.1f} ms, max {lat.max():.1f} ms; one bare INSERT {base:.1f} ms "
        f"(p50 ratio {np.median(lat) / base:.1f}x)"
    )

    def refresh() -> None:
        workshop_results(engine, wid)

    def naive() -> None:
        with engine.connect() as conn:
            pd.read_sql(
                text(
                    "SELECT * FROM workshop_submissions s JOIN workshop_scores c "
                    "ON c.submission_id = s.submission_id WHERE s.workshop_id = :w"
                ).bindparams(w=wid),
                conn,
            )

    a, b = _median_ms(refresh), _median_ms(naive)
    print(
        f"facilitator refresh (aggregate, disagreement, live ranking): {a:6.1f} ms; raw read "
        f"of the rows {b:6.1f} ms; ratio {a / b:4.1f}x"
    )
    return wid


def bench_pages(url: str, wid: str) -> None:
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[1] / "app.py")
    os.environ["CSP_DASH_DB_URL"] = url
    for label, file, params in (
        ("Priorities page", "priorities.py", {}),
        ("Workshop facilitator page", "workshop.py", {"w": wid}),
    ):
        at = AppTest.from_file(app, default_timeout=120)
        for k, v in params.items():
            at.query_params[k] = v
        at.switch_page(f"app_pages/{file}")
        t0 = time.perf_counter()
        at.run()
        first = (time.perf_counter() - t0) * 1000
        reruns = _median_ms(at.run, 5)
        print(f"{label}: first load {first:6.0f} ms; rerun median {reruns:6.0f} ms (target 300 ms)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--engine",
        choices=["duckdb", "postgresql"],
        default="duckdb",
        help="named --engine, not --db: the app reads --db from the command line",
    )
    p.add_argument("--pg-url", default=DEFAULT_PG_URL)
    p.add_argument("--participants", type=int, default=30)
    p.add_argument("--workdir")
    args = p.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench_priorities_"))
    from csp_dash.db.engine import init_db, make_engine
    from csp_dash.demo.loader import load_demo

    url, drop = _database(args.engine, args.pg_url, workdir)
    engine = make_engine(url)
    init_db(engine)
    t0 = time.perf_counter()
    load_demo(engine, workdir / "files")
    print(
        f"[{args.engine}] demo built in {time.perf_counter() - t0:.1f} s (not part of the figures)"
    )
    try:
        bench_ranked(engine)
        wid = bench_workshop(engine, url, args.participants, args.engine)
        bench_pages(url, wid)
    finally:
        engine.dispose()
        drop()
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
