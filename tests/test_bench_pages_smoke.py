"""The page benchmark runs end to end on the demo and returns figures that hold together.

It times nothing (docs/architecture.md, "Performance"): it checks the script works, so the
10M run is not found broken the day it is needed."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from benchmarks.bench_pages import _redraw_times, measure_pages, report
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


@pytest.mark.browser
def test_browser_redraws_are_timed_on_each_page(app_server, browser):
    """The served part of the benchmark: on the demo app, one new period per page is picked
    and timed from the click to the paint after the page's last change."""
    from benchmarks.bench_pages import _settled, browser_redraws

    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    res = browser_redraws(tab, app_server, rounds=1)
    box = tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Period ending")
    picked = box.locator("input").input_value()
    tab.goto(f"{app_server}/hotspots")
    _settled(tab)
    default = box.locator("input").input_value()
    tab.close()
    assert set(res) == {"overview: period end", "trends: period end", "hotspots: period end"}
    # Positive, and below the wait for a quiet page: a time, not a timeout or a stale value.
    assert all(0 < v["median_s"] < 30 and v["n"] == 1 for v in res.values())
    # What is shown never comes after the last change of any kind.
    assert all(v["median_s"] <= v["whole_median_s"] < 30 for v in res.values())
    # The tables and the map draw on canvases, which the page's own changes do not show: the
    # hooks saw them: the Overview's tables redrawn, and the map on Hotspots.
    assert res["overview: period end"]["canvas_drawn"]["text"] == 1
    assert res["hotspots: period end"]["canvas_drawn"]["gl"] == 1
    assert picked and default and picked != default, (picked, default)  # another month


def test_redraw_times_take_the_last_thing_shown():
    """Worked by hand: times in ms of the page's clock, click at 1,000."""
    r = {"click": 1000.0, "painted": 1600.0, "shown": 1300.0}
    # The map drawn after the page's last visible change: the map's time.
    assert _redraw_times(r, {"text": 1250.0, "gl": 1420.0}) == pytest.approx((0.42, 0.6))
    # Canvas draws from before the click (the page's load) are not this pick's.
    assert _redraw_times(r, {"text": 900.0, "gl": -1}) == pytest.approx((0.3, 0.6))
    # The map drawn after every page change: the whole redraw waits for it too.
    assert _redraw_times(r, {"text": -1, "gl": 1700.0}) == pytest.approx((0.7, 0.7))
    # Only a canvas's copy changed: what is shown is the canvas's own drawing.
    assert _redraw_times({**r, "shown": None}, {"text": 1100.0, "gl": -1}) == pytest.approx(
        (0.1, 0.6))


@pytest.mark.browser
def test_page_switches_are_timed_from_the_sidebar(app_server, browser):
    """Switching pages is an interaction too: each switch is timed, and lands on its page."""
    from benchmarks.bench_pages import browser_switches

    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    res = browser_switches(tab, app_server, rounds=1)
    landed = urlparse(tab.url).path
    tab.close()
    assert set(res) == {"switch overview -> trends", "switch trends -> hotspots",
                        "switch hotspots -> overview"}
    assert all(0 < v["median_s"] <= v["whole_median_s"] < 30 and v["n"] == 1
               for v in res.values())
    assert landed == "/overview", landed  # the last switch went home (each is checked there)
