"""Session-wide resources: the engine, first-start demo build, cache clearing."""

from __future__ import annotations

import argparse
import sys
import threading

import streamlit as st
from sqlalchemy import Engine, select

from csp_dash import config
from csp_dash.db.engine import init_db, make_engine
from csp_dash.db.schema import schema_meta
from csp_dash.demo_loader import DEMO_FLAG  # noqa: E402


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
def _build_lock(url: str) -> threading.Lock:
    return threading.Lock()


def ensure_data() -> None:
    """On an empty database, build the synthetic demo (once, even with several sessions)."""
    from csp_dash.queries import crime_count

    url = db_url()
    if st.session_state.get("_data_checked") == url:
        return
    eng = get_engine(url)
    with _build_lock(url):
        if crime_count(eng) == 0:
            from csp_dash.demo_loader import load_demo

            bar = st.progress(0.0, text="First start: building the synthetic demo district...")

            def progress(done: int, total: int, message: str) -> None:
                bar.progress(done / total if total else 1.0, text=f"Synthetic demo data: {message}")

            load_demo(eng, progress=progress)
            bar.empty()
            st.cache_data.clear()
    st.session_state["_data_checked"] = url


@st.cache_data(ttl=300, show_spinner=False)
def demo_label(url: str) -> str | None:
    """The demo's label if the database holds the synthetic demo, else None."""
    with get_engine(url).connect() as conn:
        return conn.execute(select(schema_meta.c.value).where(schema_meta.c.key == DEMO_FLAG)).scalar()


def data_changed() -> None:
    """New data landed: drop every cached query result."""
    st.cache_data.clear()
