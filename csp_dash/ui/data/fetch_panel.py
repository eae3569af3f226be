"""Data page: "Fetch from police.uk" (period, route, progress, cancel) for the analyst role."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from csp_dash.fetch.district import DistrictSpec, spec_from_boundary
from csp_dash.fetch.errors import FetchError
from csp_dash.fetch.jobs import FetchJob
from csp_dash.fetch.police import month_range
from csp_dash.ui.state import data_changed

JOB_KEY = "police_fetch_job"
ROUTE_LABELS = {"auto": "Automatic (archive, else API)", "archive": "Monthly archive",
                "api": "API (district polygon)"}


def _recent_months(n: int = 48) -> list[str]:
    today = date.today()
    end = f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"
    start = pd.Period(end, "M") - (n - 1)
    return month_range(str(start), end)


def fetch_panel(engine: Engine, spec: DistrictSpec | None = None, analyst: bool = True) -> None:
    """The whole panel. `spec` is the declared district when there is one."""
    if not analyst:
        st.info("Fetching from police.uk is for the analyst role.")
        return
    job: FetchJob | None = st.session_state.get(JOB_KEY)
    if job is not None and not job.done.is_set():
        _running(job)
        return
    if job is not None:
        _outcome(st.session_state.pop(JOB_KEY))
    spec = spec or _district_input()
    months = _recent_months()
    start, end = st.select_slider("Months", options=months, value=(months[-1], months[-1]),
                                  key="fetch_months")
    route = st.radio("Route", list(ROUTE_LABELS), format_func=ROUTE_LABELS.get, horizontal=True,
                     key="fetch_route", help="The archive holds every force's files for about "
                     "three years; the API has the newest month sooner and gives only the district")
    if st.button("Fetch from police.uk", type="primary", disabled=spec is None):
        st.session_state[JOB_KEY] = FetchJob(engine, spec, month_range(start, end), route)
        st.rerun()


def _district_input() -> DistrictSpec | None:
    """Until a district is declared: a boundary file (and optionally the force)."""
    up = st.file_uploader("District boundary (GeoJSON or GeoPackage)", type=["geojson", "json", "gpkg"],
                          key="fetch_boundary")
    force = st.text_input("police.uk force id (optional, e.g. essex)", key="fetch_force").strip()
    if up is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(up.name).name
        path.write_bytes(up.getvalue())
        try:
            return spec_from_boundary(path, force.lower() or None)
        except FetchError as exc:
            st.error(str(exc).replace(f"{tmp}/", ""))
            return None


@st.fragment(run_every=1.0)
def _running(job: FetchJob) -> None:
    done, total, message = job.step
    st.progress(min(done / total, 1.0) if total else 0.0, text=message)
    if st.button("Cancel", key="fetch_cancel"):
        job.cancel()
        st.caption("Cancelling: nothing will be loaded.")
    if job.done.is_set():
        st.rerun(scope="app")


def _outcome(job: FetchJob) -> None:
    if job.cancelled:
        st.warning("Fetch cancelled; nothing was loaded.")
    elif job.error:
        st.error(f"Fetch failed: {job.error}")
    elif job.report is not None:
        data_changed()
        st.success(job.report.summary())
        for note in job.report.notes:
            st.caption(note)
        refused = job.report.ingest.refused if job.report.ingest else []
        for f in refused:
            st.error(f"Refused: {f.error}")
