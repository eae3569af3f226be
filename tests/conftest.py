"""Shared fixtures: a fresh database on each engine (DuckDB file, and PostgreSQL when configured)."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from csp_dash.db.engine import init_db, make_engine

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
ESSEX = REALDATA / "essex"
PG_URL = os.environ.get("CSP_DASH_TEST_PG_URL", "")
# Every chart a page test draws, in-process or in a served app, is checked against the
# Vega-Lite schema (a served app skips the check: csp_dash/ui/charts.vega_lite).
os.environ["CSP_DASH_CHECK_CHARTS"] = "1"
# AppTest runs the app in this process: its warm-up would freeze the test worker's objects
# (gc.freeze), keeping cycles among them, open connections included, for the whole session.
# Served apps freeze as in production (tests/browser_helpers.served_app); the freeze itself is
# tested in tests/ui/test_gc_freeze.py.
os.environ["CSP_DASH_FREEZE_GC"] = "0"


def _pg_engine(request: pytest.FixtureRequest):
    if not PG_URL:
        pytest.skip("PostgreSQL tests need CSP_DASH_TEST_PG_URL "
                    "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); .ci/run sets it")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    engine = make_engine(f"{PG_URL}{sep}options=-csearch_path%3D{schema}")

    def drop() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    request.addfinalizer(drop)
    return engine


def _new_engine(request: pytest.FixtureRequest, kind: str, tmp_path: Path):
    if kind == "duckdb":
        eng = make_engine(f"duckdb:///{tmp_path / 'test.duckdb'}")
        request.addfinalizer(eng.dispose)
        return eng
    return _pg_engine(request)


@pytest.fixture(params=["duckdb", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path):
    """A database with no tables at all, on both engines (schema and migration tests)."""
    return _new_engine(request, request.param, tmp_path)


# Its own params (not empty_engine's), so a test can pick one engine with
# @pytest.mark.parametrize("engine", ["postgresql"], indirect=True).
@pytest.fixture(params=["duckdb", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty, initialised database; every test using it runs on both engines."""
    eng = _new_engine(request, request.param, tmp_path)
    init_db(eng)
    return eng


@pytest.fixture
def duck_engine(tmp_path: Path):
    """DuckDB only, for tests whose subject is not the engine (pages, CLI)."""
    eng = make_engine(f"duckdb:///{tmp_path / 'test.duckdb'}")
    init_db(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def essex() -> Path:
    if not ESSEX.is_dir():
        pytest.skip(f"real data folder {ESSEX} is absent (it ships beside the repository in CI)")
    return ESSEX


@pytest.fixture(autouse=True, scope="session")
def _local_bind():
    """Page tests run as `csp-dash serve` does: bound to 127.0.0.1, no sign-in (local mode,
    analyst). Role tests (tests/test_access_pages.py) change it where they need to."""
    from streamlit import config as st_config

    st_config.set_option("server.address", "127.0.0.1")
    yield


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The full synthetic demo, built once per test session into a DuckDB file; returns its URL."""
    from csp_dash.demo.loader import load_demo

    folder = tmp_path_factory.mktemp("demo")
    url = f"duckdb:///{folder / 'demo.duckdb'}"
    eng = make_engine(url)
    init_db(eng)
    load_demo(eng, folder / "files")
    eng.dispose()
    # A pristine copy for the served app (DuckDB lets only one process hold a file).
    shutil.copy(folder / "demo.duckdb", folder / "served.duckdb")
    return url


@pytest.fixture
def app_env(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the Streamlit app at the demo database for AppTest page tests."""
    monkeypatch.setenv("CSP_DASH_DB_URL", demo_db)
    return demo_db


@pytest.fixture
def own_demo(demo_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A private copy of the demo for AppTest page tests that write to it (edits, workshops,
    sign-ins); the app points at it."""
    src = Path(demo_db.removeprefix("duckdb:///"))
    for suffix in ("", ".wal"):
        if Path(f"{src}{suffix}").exists():
            shutil.copy(f"{src}{suffix}", tmp_path / f"demo.duckdb{suffix}")
    url = f"duckdb:///{tmp_path / 'demo.duckdb'}"
    monkeypatch.setenv("CSP_DASH_DB_URL", url)
    return url


@pytest.fixture(scope="session")
def app_server(demo_db: str):
    """The real app served on the demo, for browser tests.

    It gets its own copy of the demo database: DuckDB lets one process hold a file, and this
    test process opens the original for its AppTest page tests.
    """
    from tests.browser_helpers import served_app

    copy = Path(demo_db.removeprefix("duckdb:///")).with_name("served.duckdb")
    with served_app(f"duckdb:///{copy}") as base:
        yield base


@pytest.fixture(scope="session")
def essex_loaded(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seven Essex months with the LSOA boundaries and mid-2018 population, in DuckDB."""
    from csp_dash.ingest.boundaries import import_boundaries, import_population
    from csp_dash.ingest.police import ingest_police

    if not ESSEX.is_dir():
        pytest.skip(f"real data folder {ESSEX} is absent (it ships beside the repository in CI)")
    url = f"duckdb:///{tmp_path_factory.mktemp('essex') / 'essex.duckdb'}"
    eng = make_engine(url)
    init_db(eng)
    import_boundaries(eng, ESSEX / "essex_lsoa2011_boundaries.geojson", "lsoa", "LSOA11CD", "LSOA11NM")
    import_population(eng, ESSEX / "essex_lsoa2011_population_mid2018.csv", "lsoa", "LSOA11CD",
                      "mid2018_population")
    ingest_police(eng, [ESSEX])
    eng.dispose()
    return url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright (it cannot download its own browser here)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_helpers import ARGS, CHROMIUM

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def pytest_collection_modifyitems(config, items):
    """A browser test that fails is run once more, 5 s later.

    They drive a served app in Chromium on a shared two-core machine, and a page read while
    another worker's test loads the machine can be mid-redraw. A test that fails twice still
    fails, and every rerun is listed in the summary ("R"), so a test that needs it is seen.
    """
    if not config.pluginmanager.hasplugin("rerunfailures"):
        return
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("flaky"):
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=5))
