"""Time the hotspot page's reruns after a filter change, on generated police.uk data.

    python -m benchmarks.bench_hotspots [--rows 1000000] [--forces 1] [--workdir DIR] [--keep]

Generates N rows with benchmarks.generate (not timed), loads them through the real ingest,
adds generated LSOA (Voronoi), estate and district boundaries, then drives the page with
Streamlit's AppTest: the first load, then filter changes (category, layer, H3 cells), each
timed as one rerun. Cold = a filter value not seen before (Gi* computed), warm = seen before
(Gi* from the cache). Baselines measured in the same run: the raw aggregate query over the
crimes table for the same filter, and the cube query the page makes. Also prints the map
payload (KB of deck JSON) against the raw points the same view would need. Not a test: it
prints figures and exits 0 (docs/architecture.md, "Performance").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 300
APP = Path(__file__).resolve().parents[1] / "app.py"
PAGE = "app_pages/hotspots.py"


def _machine() -> str:
    import duckdb
    import streamlit

    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"machine: nproc={len(os.sched_getaffinity(0))}, load {load}, python "
            f"{platform.python_version()}, duckdb {duckdb.__version__}, "
            f"streamlit {streamlit.__version__}")  # fmt: skip


def _boundaries(engine, folder: Path, seed: int = 7) -> dict[str, int]:
    """LSOA polygons (Voronoi around each LSOA's mean map point), 40 round estates on busy
    LSOAs, and the district (their hull); loaded through the real boundary import."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely
    from sqlalchemy import text

    from csp_dash.ingest.boundaries import import_boundaries, import_population

    with engine.connect() as conn:
        pts = pd.read_sql(
            text(
                "SELECT lsoa_code AS code, avg(longitude) AS lon, avg(latitude) AS lat, "
                "count(*) AS n FROM crimes WHERE lsoa_code IS NOT NULL GROUP BY lsoa_code"
            ),
            conn,
        )
    centres = shapely.points(pts["lon"], pts["lat"])
    hull = shapely.convex_hull(shapely.multipoints(centres)).buffer(0.01)
    cells = shapely.voronoi_polygons(shapely.multipoints(centres), extend_to=hull)
    cells = [shapely.intersection(c, hull) for c in shapely.get_parts(cells)]
    tree = shapely.STRtree(cells)
    order = tree.query(centres, predicate="within")  # (point index, cell index)
    geom = np.empty(len(pts), dtype=object)
    geom[order[0]] = np.asarray(cells, dtype=object)[order[1]]
    lsoa = gpd.GeoDataFrame(
        {"code": pts["code"], "name": pts["code"]}, geometry=geom, crs="EPSG:4326"
    ).dropna(subset=["geometry"])
    rng = np.random.default_rng(seed)
    busy = pts.sort_values("n", ascending=False).head(200).sample(40, random_state=seed)
    est = gpd.GeoDataFrame(
        {"code": [f"EST{i:03d}" for i in range(40)], "name": [f"Estate {i}" for i in range(40)]},
        geometry=gpd.GeoSeries(gpd.points_from_xy(busy["lon"], busy["lat"]), crs="EPSG:4326")
        .to_crs(27700).buffer(rng.uniform(300, 700, 40)).to_crs(4326),
        crs="EPSG:4326",
    )  # fmt: skip
    district = gpd.GeoDataFrame({"code": ["D1"], "name": ["Benchshire"]},
                                geometry=[shapely.union_all(lsoa.geometry.values)],
                                crs="EPSG:4326")  # fmt: skip
    for name, gdf in (("district", district), ("lsoa", lsoa), ("estate", est)):
        gdf.to_file(folder / f"{name}.geojson")
        import_boundaries(engine, folder / f"{name}.geojson", name, "code", "name")
    pop = pd.DataFrame({"code": lsoa["code"], "population": rng.integers(1200, 2200, len(lsoa)),
                        "households": rng.integers(500, 900, len(lsoa))})  # fmt: skip
    pop.to_csv(folder / "population.csv", index=False)
    import_population(engine, folder / "population.csv", "lsoa", "code", "population",
                      "households")  # fmt: skip
    return {"lsoa": len(lsoa), "estate": len(est), "district": 1}


def _timed_run(at) -> float:
    t0 = time.perf_counter()
    at.run()
    ms = (time.perf_counter() - t0) * 1000
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return ms


def _payload_kb(at) -> tuple[float, str]:
    for c in at.caption:
        m = re.search(r"Map data sent to the browser: ([\d,]+) KB for ([\d,]+) (\w+)", c.value)
        if m:
            return float(m.group(1).replace(",", "")), f"{m.group(2)} {m.group(3)}"
    return float("nan"), "?"


def _codes(url: str) -> list[str]:
    from csp_dash.db.engine import make_engine
    from csp_dash.db.queries import area_table

    eng = make_engine(url)
    codes = list(area_table(eng, "estate")["code"])
    eng.dispose()
    return codes


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _raw_and_cube(url: str, cats: list[str], first, last) -> tuple[list[float], list[float], float]:
    """Per category: the raw aggregate query over crimes, and the cube query the page makes;
    plus the KB of the raw points (lon/lat JSON) the busiest category would need on a map."""
    from sqlalchemy import func, select

    from csp_dash.db.engine import make_engine
    from csp_dash.db.queries import cube_counts
    from csp_dash.db.schema import crimes

    eng = make_engine(url)
    raw, cube = [], []
    c = crimes.c
    for cat in cats:
        stmt = (select(c.lsoa_code, func.count()).where(c.category == cat, c.month >= first,
                                                          c.month <= last)
                .group_by(c.lsoa_code))  # fmt: skip
        t0 = time.perf_counter()
        with eng.connect() as conn:
            conn.execute(stmt).all()
        raw.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        cube_counts(eng, layer="lsoa", by=("area", "category"), categories=[cat], start=first,
                    end=last)  # fmt: skip
        cube.append((time.perf_counter() - t0) * 1000)
    with eng.connect() as conn:
        points = conn.execute(
            select(c.longitude, c.latitude).where(
                c.month >= first, c.month <= last, c.longitude.is_not(None)
            )
        ).all()
    eng.dispose()
    points_kb = len(json.dumps([[x, y] for x, y in points], separators=(",", ":"))) / 1024
    return raw, cube, points_kb


def _build(work: Path, url: str, args: argparse.Namespace) -> None:
    from benchmarks.generate import generate
    from csp_dash.db.engine import init_db, make_engine
    from csp_dash.ingest.police import ingest_police

    t0 = time.perf_counter()
    gen = generate(work / "street", args.rows, forces=args.forces)
    print(f"generated {gen.rows:,} rows, {gen.files} files, {len(gen.months)} months "
          f"({time.perf_counter() - t0:.1f} s, not timed)")  # fmt: skip
    eng = make_engine(url)
    init_db(eng)
    t0 = time.perf_counter()
    ingest_police(eng, [work / "street"])
    ingest_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    units = _boundaries(eng, work)
    eng.dispose()
    print(
        f"ingest {ingest_s:.1f} s; boundaries {time.perf_counter() - t0:.1f} s: "
        f"{units['lsoa']:,} LSOAs, {units['estate']} estates, 1 district"
    )


def run(args: argparse.Namespace) -> None:
    from csp_dash.analysis.periods import window
    from csp_dash.db.engine import make_engine
    from csp_dash.db.queries import month_range
    from csp_dash.vocab import DEFAULT_THEMES

    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench_hotspots_"))
    work.mkdir(parents=True, exist_ok=True)
    print(_machine())
    print(f"target: median rerun after a filter change <= {TARGET_MS} ms (docs/architecture.md, Performance)")
    url = f"duckdb:///{work / 'bench.duckdb'}"
    if args.reuse and (work / "bench.duckdb").exists():
        print(f"reusing the database in {work}")
    else:
        _build(work, url, args)
    from sqlalchemy import func, select

    from csp_dash.db.schema import cube

    eng = make_engine(url)
    with eng.connect() as conn:
        cube_rows = conn.execute(select(func.count()).select_from(cube)).scalar()
        h3_rows = conn.execute(
            select(func.count()).select_from(cube).where(cube.c.layer == "h3")
        ).scalar()
    end = month_range(eng)[1]
    eng.dispose()
    print(f"cube {cube_rows:,} rows ({h3_rows:,} for H3 cells)")

    from streamlit.testing.v1 import AppTest

    os.environ["CSP_DASH_DB_URL"] = url
    at = AppTest.from_file(str(APP), default_timeout=600)
    at.query_params["layer"] = "lsoa"
    at.switch_page(PAGE)
    first_ms = _timed_run(at)
    kb, what = _payload_kb(at)
    length = at.sidebar.selectbox(key="f_len").value
    first, last = window(end, length)
    print(
        f"first page load: {first_ms:,.0f} ms (LSOA layer, {length} months to {end:%b %Y}); "
        f"map payload {kb:,.0f} KB for {what}"
    )

    cats = sorted(DEFAULT_THEMES)[: args.categories]
    cold, warm = [], []
    for cat in cats:  # a category never shown before: Gi*, classes, profile computed
        at.sidebar.multiselect(key="f_cats").set_value([cat])
        cold.append(_timed_run(at))
    for cat in cats:  # the same filters again: everything from the cache
        at.sidebar.multiselect(key="f_cats").set_value([cat])
        warm.append(_timed_run(at))
    at.sidebar.multiselect(key="f_cats").set_value([])
    _timed_run(at)
    layer_ms = []
    for layer in ("estate", "lsoa", "estate", "lsoa"):
        at.sidebar.selectbox(key="f_layer").set_value(layer)
        layer_ms.append(_timed_run(at))
    at.segmented_control(key="hs_unit").set_value("cells")
    cells_first = _timed_run(at)
    cell_kb, cell_what = _payload_kb(at)
    cell_cold = []
    for cat in cats[:4]:
        at.sidebar.multiselect(key="f_cats").set_value([cat])
        cell_cold.append(_timed_run(at))

    at.segmented_control(key="hs_unit").set_value("areas")
    at.sidebar.multiselect(key="f_cats").set_value([])
    at.sidebar.selectbox(key="f_layer").set_value("estate")
    at.session_state["hs_tab"] = "Area profile"
    _timed_run(at)
    estate_ms = []
    for code in at.selectbox(key="hs_area").options[:4]:
        at.selectbox(key="hs_area").set_value(
            next(c for c in _codes(url) if at.selectbox(key="hs_area").format_func(c) == code)
        )
        estate_ms.append(_timed_run(at))
    at.session_state["hs_tab"] = "Appendices"
    appendix_ms = _timed_run(at)

    raw, cube_ms, points_kb = _raw_and_cube(url, cats, first, last)
    med_cold, med_warm = _median(cold), _median(warm)
    every = cold + warm + layer_ms
    print(
        f"category change, cold (Gi* computed), {len(cold)} runs: median {med_cold:,.0f} ms "
        f"(min {min(cold):,.0f}, max {max(cold):,.0f})"
    )
    print(f"category change, warm (cached), {len(warm)} runs: median {med_warm:,.0f} ms")
    print(
        f"layer change (estate <-> LSOA), {len(layer_ms)} runs: "
        + ", ".join(f"{x:,.0f}" for x in layer_ms)
        + " ms"
    )
    print(
        f"all filter changes: median {_median(every):,.0f} ms over {len(every)} reruns "
        f"({'meets' if _median(every) <= TARGET_MS else 'misses'} the {TARGET_MS} ms target)"
    )
    print(
        f"H3 cells view: first {cells_first:,.0f} ms (cells and weights built); category "
        f"change median {_median(cell_cold):,.0f} ms; map payload {cell_kb:,.0f} KB for "
        f"{cell_what}"
    )
    print(
        f"area profile: estate change median {_median(estate_ms):,.0f} ms over "
        f"{len(estate_ms)}; opening the appendices tab {appendix_ms:,.0f} ms"
    )
    print(
        f"raw aggregate query over crimes (LSOA counts, one category, the period): median "
        f"{_median(raw):,.1f} ms; the page's cube query: {_median(cube_ms):,.1f} ms"
    )
    print(
        f"ratio cold rerun / raw aggregate query: {med_cold / _median(raw):,.1f}x; "
        f"warm rerun / raw query: {med_warm / _median(raw):,.1f}x"
    )
    print(
        f"map payload {kb:,.0f} KB vs {points_kb:,.0f} KB of raw points for the same period: "
        f"{kb / points_kb:.3f}x"
    )
    if not (args.keep or args.reuse):
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--forces",
        type=int,
        default=1,
        help="forces in the generated data (1: one force, ~86 months at 1M rows)",
    )
    ap.add_argument("--categories", type=int, default=8, help="categories to switch through")
    ap.add_argument("--workdir")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument(
        "--reuse", action="store_true", help="reuse the database a --keep run left in --workdir"
    )
    run(ap.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
