"""The page benchmark runs end to end on the demo and returns figures that hold together.

It times nothing (docs/architecture.md, "Performance"): it checks the script works, so the
10M run is not found broken the day it is needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks.bench_pages import measure_pages, report
from csp_dash.db.engine import make_engine
from csp_dash.db.schema import crimes, cube


@pytest.mark.slow
def test_measure_pages_on_the_demo(demo_db: str, tmp_path: Path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db.removeprefix("duckdb:///"), path)
    url = f"duckdb:///{path}"
    res = measure_pages(url, rounds=1, serve=False)
    eng = make_engine(url)
    with eng.connect() as conn:
        raw = conn.execute(select(func.count()).select_from(crimes)).scalar()
        rows = conn.execute(select(func.count()).select_from(cube)).scalar()
    eng.dispose()
    assert (res["raw_rows"], res["cube_rows"]) == (raw, rows)
    assert res["cube_to_raw"] == pytest.approx(rows / raw)
    assert res["first_load"]["first_load_s"] > 0 and res["first_trends"]["first_switch_s"] > 0
    names = set(res["interactions"])
    assert {"overview: period end", "trends: area layer", "switch overview -> trends",
            "hotspots: areas/cells"} <= names
    assert all(v["median_s"] > 0 and v["n"] >= 1 for v in res["interactions"].values())
    assert "cube/raw" in report(res)
