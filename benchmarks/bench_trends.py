"""Time Crime trends page reruns after filter changes against the same aggregate in raw SQL.

    python -m benchmarks.bench_trends [--rows 1000000] [--forces 3] [--changes 40]
                                      [--workdir DIR] [--keep]

Generates N police.uk rows with benchmarks.generate (few forces, so the months span two years
and more, as a partnership's own data does), ingests them into a DuckDB file (timed, for
information), then runs the whole app under Streamlit's AppTest on the trends page. Each
timed rerun follows one filter change; every change picks values not used before, so the
query caches miss where a real analyst's would (a new LSOA means a new cube query). The
baseline is the aggregate that rerun needs, run as one raw SQL string on the DuckDB
connection, with no app around it. Not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 300.0
TABS = ["Trend", "Year on year", "SPC", "Seasonal", "Harm", "Comparison"]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def build(folder: Path, db: Path, rows: int, forces: int) -> tuple[str, dict]:
    from benchmarks.generate import generate
    from csp_dash.db.engine import init_db, make_engine
    from csp_dash.ingest.police import ingest_police

    t0 = time.perf_counter()
    gen = generate(folder, rows, forces=forces)
    t_gen = time.perf_counter() - t0
    url = f"duckdb:///{db}"
    eng = make_engine(url)
    init_db(eng)
    t0 = time.perf_counter()
    ingest_police(eng, [folder])
    t_ingest = time.perf_counter() - t0
    eng.dispose()
    return url, {"generate_s": t_gen, "ingest_s": t_ingest, "months": len(gen.months)}


def filter_changes(url: str, n: int) -> list[tuple[str, object]]:
    """n filter changes, alternating kinds, each to a value not used before."""
    from csp_dash.db import queries
    from csp_dash.db.engine import make_engine
    from csp_dash.vocab import DEFAULT_THEMES

    eng = make_engine(url)
    lsoas = list(queries.area_options(eng, "lsoa"))
    lo, hi = queries.month_range(eng)
    eng.dispose()
    import pandas as pd

    ends = [m.date() for m in pd.date_range(lo, hi, freq="MS")][::-1][1:] or [hi]
    cats = list(DEFAULT_THEMES)
    themes = list(dict.fromkeys(DEFAULT_THEMES.values()))
    out: list[tuple[str, object]] = []
    k = 0
    while len(out) < n:
        kind = k % 4
        if kind == 0:
            out.append(("f_area", lsoas[(k * 37) % len(lsoas)]))  # a new LSOA: a cache miss
        elif kind == 1:
            out.append(("f_end", ends[(k // 4) % len(ends)]))
        elif kind == 2:
            out.append(("f_cats", cats[(k // 4) % len(cats) : (k // 4) % len(cats) + 2]))
        else:
            out.append(("f_themes", [themes[(k // 4) % len(themes)]]))
        k += 1
    return out[:n]


def time_reruns(url: str, changes: list[tuple[str, object]], tab: str) -> list[tuple[str, float]]:
    """Seconds per AppTest rerun after each change (whole app: router, sidebar, page)."""
    os.environ["CSP_DASH_DB_URL"] = url
    from tests.apptest_helpers import run_app

    at = run_app("app_pages/trends.py")
    at.session_state["view"] = tab
    at.sidebar.selectbox(key="f_layer").set_value("lsoa")
    at.run()  # untimed: open the tab on the LSOA layer
    times = []
    for key, value in changes:
        widget = (
            at.sidebar.multiselect(key=key)
            if key in ("f_cats", "f_themes")
            else at.sidebar.selectbox(key=key)
        )
        if key in ("f_cats", "f_themes"):
            at.sidebar.multiselect(key="f_cats").set_value([])
            at.sidebar.multiselect(key="f_themes").set_value([])
        widget.set_value(value)
        t0 = time.perf_counter()
        at.run()
        times.append((key, time.perf_counter() - t0))
        if at.exception:
            raise RuntimeError(at.exception[0].value)
    return times


def time_raw_sql(url: str, areas: list[str]) -> dict[str, float]:
    """Median seconds of the rerun's aggregate as one raw SQL string, on the cube and raw rows."""
    from csp_dash.db.engine import make_engine

    eng = make_engine(url)
    raw = eng.raw_connection()
    con = raw.driver_connection  # the DuckDB connection itself: no SQLAlchemy, no pandas
    cube_sql = (
        "SELECT month, category, sum(count) FROM cube WHERE source = 'police' AND "
        "layer = 'lsoa' AND area_code = ? GROUP BY month, category ORDER BY 1, 2"
    )
    rows_sql = (
        "SELECT month, category, count(*) FROM crimes WHERE lsoa_code = ? "
        "GROUP BY month, category ORDER BY 1, 2"
    )
    out = {}
    for name, sql in (("cube", cube_sql), ("crimes", rows_sql)):
        times = []
        for area in areas:
            t0 = time.perf_counter()
            con.execute(sql, [area]).fetchall()
            times.append(time.perf_counter() - t0)
        out[name] = statistics.median(times)
    raw.close()
    eng.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--forces", type=int, default=3)
    p.add_argument("--changes", type=int, default=40, help="timed filter changes on the Trend tab")
    p.add_argument("--per-tab", type=int, default=8, help="timed changes on each other tab")
    p.add_argument("--workdir")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench_trends_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def run(args: argparse.Namespace, work: Path) -> None:
    import duckdb
    import streamlit

    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: nproc={len(os.sched_getaffinity(0))}, load {load}, python "
        f"{platform.python_version()}, duckdb {duckdb.__version__}, streamlit "
        f"{streamlit.__version__}"
    )
    url, info = build(work / "files", work / "trends.duckdb", args.rows, args.forces)
    print(
        f"data: {args.rows:,} rows, {args.forces} forces x {info['months']} months; generated "
        f"in {info['generate_s']:.1f} s, ingested in {info['ingest_s']:.1f} s "
        f"({args.rows / info['ingest_s']:,.0f} rows/s)"
    )
    changes = filter_changes(url, args.changes)
    results = time_reruns(url, changes, "Trend")
    by_tab = {"Trend": [t for _, t in results]}
    for i, tab in enumerate(TABS[1:], start=1):
        extra = filter_changes(url, args.changes + args.per_tab * (i + 1))[-args.per_tab :]
        by_tab[tab] = [t for _, t in time_reruns(url, extra, tab)]
    areas = [v for k, v in changes if k == "f_area"]
    raw = time_raw_sql(url, areas)
    med = statistics.median(by_tab["Trend"])
    misses = [t for (k, _), t in zip(changes, by_tab["Trend"], strict=True) if k == "f_area"]
    print(
        f"Trend tab: {len(by_tab['Trend'])} reruns after a filter change: median {_ms(med)}, "
        f"p90 {_ms(statistics.quantiles(by_tab['Trend'], n=10)[-1])}, "
        f"max {_ms(max(by_tab['Trend']))}"
    )
    print(
        f"  after a new LSOA (cube query not cached): median {_ms(statistics.median(misses))}"
        f" over {len(misses)}"
    )
    for tab in TABS[1:]:
        print(
            f"{tab} tab: median rerun {_ms(statistics.median(by_tab[tab]))} over "
            f"{len(by_tab[tab])} changes"
        )
    print(
        f"raw SQL, the same aggregate for one LSOA: cube {raw['cube'] * 1000:.1f} ms, "
        f"crimes table {raw['crimes'] * 1000:.1f} ms (median)"
    )
    print(
        f"ratio median rerun / raw cube query: {med / raw['cube']:,.1f}x; "
        f"/ raw crimes query: {med / raw['crimes']:,.1f}x"
    )
    verdict = "MET" if med <= TARGET_MS / 1000 else "NOT MET"
    print(f"target: median rerun <= {TARGET_MS:.0f} ms: {verdict} ({_ms(med)})")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
