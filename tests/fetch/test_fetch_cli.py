"""The fetch commands, the background job the Data page runs, and the page's fetch panel."""

from __future__ import annotations

import json
import time

import pytest
import shapely
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest
from werkzeug import Response

from csp_dash.cli import commands as cli
from csp_dash.db.engine import init_db, make_engine
from csp_dash.db.schema import crimes
from csp_dash.fetch import cli as fetch_cli
from csp_dash.fetch.district import DistrictSpec
from csp_dash.fetch.jobs import FetchJob
from tests.fetch.test_fetch import DISTRICT, archive_zip, essex_rows
from tests.fetch_fixtures import FakeApi, csv_of, fast_client, read_rows


@pytest.fixture
def run_cli(monkeypatch, httpserver, tmp_path):
    """csp-dash (the fetch commands are wired in), aimed at the test server."""
    assert fetch_cli in cli.COMMAND_MODULES
    monkeypatch.setenv("CSP_DASH_POLICE_API_URL", httpserver.url_for("/api"))
    monkeypatch.setenv("CSP_DASH_POLICE_ARCHIVE_URL", httpserver.url_for("/archive"))
    monkeypatch.setenv("CSP_DASH_POLICE_CACHE_DIR", str(tmp_path / "cache"))
    boundary = tmp_path / "district.geojson"
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "half"}, "geometry": shapely.geometry.mapping(g)}
        for g in (shapely.box(1.0, 51.7, 1.05, 51.8), shapely.box(1.05, 51.7, 1.1, 51.8))]}))
    db = f"duckdb:///{tmp_path / 'cli.duckdb'}"

    def run(*argv: str) -> int:
        return cli.main([*argv, "--db", db, "--boundary", str(boundary)])

    run.db = db
    return run


def _rows(db: str) -> int:
    eng = make_engine(db)
    with eng.connect() as conn:
        n = conn.execute(select(func.count()).select_from(crimes)).scalar()
    eng.dispose()
    return n


def test_fetch_police_command(run_cli, httpserver, capsys):
    httpserver.expect_request("/archive/2018-01.zip").respond_with_data(archive_zip(["2018-01"]))
    assert run_cli("fetch", "police", "--from", "2018-01", "--to", "2018-01") == 0
    out = capsys.readouterr().out
    assert "1 month(s) 2018-01 to 2018-01; archive: 1; forces: essex; files loaded 1" in out
    assert _rows(run_cli.db) == 17


def test_update_command_exit_codes(run_cli, httpserver, capsys):
    FakeApi(read_rows(csv_of(essex_rows("2018-01")))).serve(httpserver, ["2018-01"])
    httpserver.expect_request("/archive/2018-01.zip").respond_with_data(archive_zip(["2018-01"]))
    assert run_cli("update") == 0
    assert capsys.readouterr().out.startswith("updated: 1 month(s)")
    assert run_cli("update") == 0
    assert capsys.readouterr().out.startswith("up to date: newest month 2018-01")
    httpserver.clear_all_handlers()  # police.uk down: non-zero, with the reason
    httpserver.expect_request("/api/crime-last-updated").respond_with_data("down", status=502)
    assert run_cli("update") == 4
    assert "update failed:" in capsys.readouterr().out


def test_bad_month_is_a_clear_error(run_cli, capsys):
    assert run_cli("fetch", "police", "--from", "2018-13", "--to", "2018-01") == 4
    assert "'2018-13' is not a month" in capsys.readouterr().err


def test_cancelled_job_loads_nothing(duck_engine, httpserver, tmp_path):
    def slow(request):
        time.sleep(0.3)
        return Response(archive_zip(["2018-01"]))

    httpserver.expect_request("/archive/2018-01.zip").respond_with_handler(slow)
    job = FetchJob(duck_engine, DistrictSpec(DISTRICT), ["2018-01"], "archive",
                   fast_client(httpserver), tmp_path)
    job.cancel()
    assert job.wait(10) and job.cancelled and job.report is None
    with duck_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(crimes)).scalar() == 0


def test_finished_job_reports(duck_engine, httpserver, tmp_path):
    httpserver.expect_request("/archive/2018-01.zip").respond_with_data(archive_zip(["2018-01"]))
    job = FetchJob(duck_engine, DistrictSpec(DISTRICT), ["2018-01"], "archive",
                   fast_client(httpserver), tmp_path)
    assert job.wait(30) and job.error is None and job.report.forces == ["essex"]
    assert job.step[0] == job.step[1]  # progress reached the end


def _panel(analyst: bool) -> None:
    from csp_dash.ui.data.fetch_panel import fetch_panel
    from csp_dash.ui.state import engine

    fetch_panel(engine(), analyst=analyst)


@pytest.mark.parametrize("analyst", [True, False])
def test_panel_renders_for_the_analyst_only(analyst, tmp_path, monkeypatch):
    url = f"duckdb:///{tmp_path / 'p.duckdb'}"
    eng = make_engine(url)
    init_db(eng)
    eng.dispose()
    monkeypatch.setenv("CSP_DASH_DB_URL", url)
    at = AppTest.from_function(_panel, kwargs={"analyst": analyst}, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = [b.label for b in at.button]
    if analyst:
        assert buttons == ["Fetch from police.uk"] and at.button[0].disabled  # no district yet
        assert at.radio[0].value == "auto"
    else:
        assert not buttons and "analyst role" in at.info[0].value
