"""Session-wide resources: the engine, first-start demo build, cache clearing."""

from __future__ import annotations

import argparse
import sys
import threading
import time

import streamlit as st
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from csp_dash import config
from csp_dash.db.engine import init_db, make_engine
from csp_dash.db.schema import schema_meta
from csp_dash.demo.loader import DEMO_FLAG, DEMO_LABEL, load_demo, needs_demo


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


class DemoBuild:
    """The first-start demo build, on its own thread so a closed browser tab cannot cut it short."""

    def __init__(self, engine: Engine):
        self.done = threading.Event()
        self.error: str | None = None
        self.step = (0, 1, "starting")
        self._thread = threading.Thread(target=self._run, args=(engine,), daemon=True)
        self._thread.start()

    def _run(self, engine: Engine) -> None:
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
    """On an empty database, build the synthetic demo (once per process, whoever asks first)."""
    url = db_url()
    if st.session_state.get("_data_checked") == url:
        return
    try:
        eng = get_engine(url)  # opening it is what fails while another program holds the file
        # Only the demo's own database is filled with the demo: a real one starts empty.
        empty = url == config.DEMO_DB_URL and needs_demo(eng)
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


@st.cache_data(ttl=300, show_spinner=False)
def demo_label(url: str) -> str | None:
    """The demo's label if the database holds the synthetic demo, else None."""
    with get_engine(url).connect() as conn:
        flag = conn.execute(select(schema_meta.c.value).where(schema_meta.c.key == DEMO_FLAG)).scalar()
    return flag if flag == DEMO_LABEL else None


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
    """New data landed: drop every cached query result."""
    st.cache_data.clear()
