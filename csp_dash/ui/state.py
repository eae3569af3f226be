"""Session-wide resources: the engine, first-start demo build, cache clearing."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import threading
import time

import streamlit as st
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from csp_dash import config
from csp_dash.db import version
from csp_dash.db.engine import DEMO_BUILDING, DEMO_FLAG, init_db, make_engine
from csp_dash.db.schema import schema_meta


def _cli_db() -> str | None:
    """`csp-dash serve --db URL` passes the URL through streamlit's script arguments."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    known, _ = parser.parse_known_args(sys.argv[1:])
    return known.db


def db_url() -> str:
    return config.db_url(_cli_db())


@st.cache_resource(show_spinner=False)
def get_engine(url: str) -> Engine:
    engine = make_engine(url)
    init_db(engine)
    return engine


def engine() -> Engine:
    return get_engine(db_url())


@st.cache_resource(show_spinner=False)
def _replica_engine(url: str) -> Engine:
    return make_engine(url)  # no init_db: a replica is read-only, the primary's schema streams to it


def read_engine(url: str) -> Engine:
    """The engine for a page's cached reads of the data (the cube, areas, partner records): the
    read replica (CSP_DASH_DB_READ_URL) when one is set for the app's database, else the
    database itself. Writes, and reads of what a page has just edited, use get_engine (see
    docs/architecture.md, "Schema and migrations")."""
    primary = get_engine(url)  # the schema is made or upgraded on the primary first
    replica = config.get("db_read_url")
    if not replica or url != db_url():
        return primary
    return _replica_engine(replica)


class DemoBuild:
    """The first-start demo build, on its own thread so a closed browser tab cannot cut it short."""

    def __init__(self, engine: Engine):
        self.done = threading.Event()
        self.error: str | None = None
        self.step = (0, 1, "starting")
        self._thread = threading.Thread(target=self._run, args=(engine,), daemon=True)
        self._thread.start()

    def _run(self, engine: Engine) -> None:
        from csp_dash.demo.loader import load_demo  # geopandas and the demo: only to build it

        try:
            load_demo(engine, progress=lambda d, t, m: setattr(self, "step", (d, t, m)))
        except Exception as exc:  # shown to every waiting session, not swallowed
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.done.set()


@st.cache_resource(show_spinner=False)
def _demo_build(url: str) -> DemoBuild:
    return DemoBuild(get_engine(url))


def ensure_data() -> None:
    """On an empty database, build the synthetic demo (once per process, whoever asks first).
    Called first in every run: the data version is read again in each run."""
    st.session_state.pop(VERSION_MEMO, None)
    url = db_url()
    if st.session_state.get("_data_checked") == url:
        return
    try:
        eng = get_engine(url)  # opening it is what fails while another program holds the file
        # Only the demo's own database is filled with the demo: a real one starts empty.
        empty = url == config.DEMO_DB_URL and _needs_demo(eng)
    except OperationalError as exc:
        if not is_lock_error(exc):
            raise
        wait_for_database()
    if empty:
        build = _demo_build(url)
        bar = st.progress(0.0, text="First start: building the synthetic demo district...")
        while not build.done.wait(0.3):
            done, total, message = build.step
            bar.progress(min(done / total, 1.0) if total else 1.0, text=f"Synthetic demo data: {message}")
        if build.error:
            st.error(f"The synthetic demo could not be built: {build.error}")
            st.stop()
        bar.empty()
        st.cache_data.clear()
    st.session_state["_data_checked"] = url


def _needs_demo(eng: Engine) -> bool:
    # Imported here: the demo builder pulls in geopandas, which a first page load must not wait
    # for (docs/architecture.md, "Performance").
    from csp_dash.demo.loader import needs_demo

    return needs_demo(eng)


@st.cache_data(ttl=300, show_spinner=False)
def demo_label(url: str) -> str | None:
    """The demo's label if the database holds the synthetic demo, else None."""
    # The flag is the label once built, "building" while it loads (demo/loader.py); the
    # loader itself is not imported here (it pulls in the demo's geography and scipy).
    with get_engine(url).connect() as conn:
        flag = conn.execute(select(schema_meta.c.value).where(schema_meta.c.key == DEMO_FLAG)).scalar()
    return flag if flag and flag != DEMO_BUILDING else None


RETRY_SECONDS = 5


def is_lock_error(exc: BaseException) -> bool:
    """DuckDB lets one process hold a file: another (an ingest) holding it is a lock error."""
    return "lock" in str(exc).lower()


def wait_for_database() -> None:
    """Say the database is busy, wait, and run the page again (instead of a traceback)."""
    st.info("The database is busy: another program is loading data into it (usually "
            "`csp-dash ingest`; a DuckDB file can be open in one program at a time). This page "
            f"will try again every {RETRY_SECONDS} seconds and open as soon as the load ends.",
            icon=":material/hourglass_top:")
    time.sleep(RETRY_SECONDS)
    st.rerun()


def data_changed() -> None:
    """New data landed: drop every cached query result (other replicas see the new data
    version at their next run)."""
    st.cache_data.clear()
    st.session_state.pop(VERSION_MEMO, None)


VERSION_MEMO = "_data_version"  # session state: url -> the data version read in this run


def data_version(url: str) -> str:
    """The database's data version, read once per run (docs/architecture.md, "Several
    replicas"); the cached queries are keyed by it."""
    if get_script_run_ctx() is None:  # outside a page run: nothing to memoise in
        return _read_version(url)
    memo = st.session_state.setdefault(VERSION_MEMO, {})
    if url not in memo:
        try:
            memo[url] = _read_version(url)
        except OperationalError as exc:
            if not is_lock_error(exc):
                raise
            wait_for_database()
    return memo[url]


def _read_version(url: str) -> str:
    # From the engine the pages read: with a replica, a version ahead of its data would key
    # stale results under the new version.
    with read_engine(url).connect() as conn:
        return version.current(conn)


def _import_pages() -> None:
    """Import the busiest pages' modules: their libraries (scipy.sparse, geopandas, shapely)
    take about a second of CPU to import, which a first switch to them would otherwise wait for
    (docs/architecture.md, "Performance"). Plain imports: a renamed module fails here."""
    import csp_dash.ui.horizon.forecast_tab  # noqa: F401
    import csp_dash.ui.hotspots.deprivation  # noqa: F401
    import csp_dash.ui.hotspots.map as hotspot_map
    import csp_dash.ui.hotspots.panels  # noqa: F401
    import csp_dash.ui.hotspots.sections  # noqa: F401
    import csp_dash.ui.trends.comparison  # noqa: F401
    import csp_dash.ui.trends.harm  # noqa: F401
    import csp_dash.ui.trends.sections  # noqa: F401

    try:
        hotspot_map.warm(db_url())
    except Exception:  # noqa: BLE001  a head start only: the page reads what it needs anyway
        logging.getLogger(__name__).warning("warming the hotspot polygons failed", exc_info=True)
    if config.freeze_gc():
        freeze_long_lived()


def freeze_long_lived() -> None:
    """Take what is alive now out of the garbage collector's scans: the libraries' modules,
    classes and functions (about 180,000 objects) and the warmed polygons live as long as the
    process. Streamlit collects every generation after each run (``runner.postScriptGC``),
    and scanning them held the interpreter lock for about 90 ms of each rerun, while the
    page's last messages waited to be sent (docs/architecture.md, "Performance").
    Reference counting still frees these objects; only cycles among them are left (the
    first visitor's session, open when this runs, is one: a one-off)."""
    gc.collect()
    gc.freeze()


@st.cache_resource(show_spinner=False)
def warm_imports() -> threading.Thread:
    """Once per process, after the first page is drawn: import the busiest pages' modules."""
    thread = threading.Thread(target=_import_pages, daemon=True, name="csp-dash-warm-imports")
    thread.start()
    return thread
