"""Upload forms for the Data page: police.uk files, boundaries, population, with progress."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from csp_dash.ingest.boundaries import import_boundaries, import_population, read_boundaries
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.police import ingest_police
from csp_dash.ui import auth
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.state import data_changed, engine


def _save(files, folder: Path) -> list[Path]:
    paths = []
    for f in files:
        p = folder / Path(f.name).name  # keep police.uk's file name: it carries force and month
        p.write_bytes(f.getvalue())
        paths.append(p)
    return paths


def _show_last_result() -> None:
    """The outcome of the last load, kept across the rerun that refreshes the page's figures."""
    result = st.session_state.pop("police_upload_result", None)
    if not result:
        return
    for error in result["errors"]:
        st.error(error)
    for note in result.get("notes", []):
        st.warning(note)
    if result["success"]:
        st.success(result["success"])
    table_with_downloads(result["table"], "police.uk files loaded", key="dl_police_loaded")


def police_upload() -> None:
    auth.require("upload_data")
    _show_last_result()
    files = st.file_uploader("police.uk street-crime files (CSV, or police.uk's zip archive)",
                             type=["csv", "zip"], accept_multiple_files=True, key="up_police")
    if not files or not st.button("Load police.uk files", type="primary"):
        return
    bar = st.progress(0.0, text="Starting...")

    def progress(done: int, total: int, message: str) -> None:
        bar.progress(done / total if total else 1.0, text=f"{message} ({done}/{total} files)")

    with tempfile.TemporaryDirectory() as tmp:
        def shown(text: str) -> str:  # name the file as the user uploaded it, not our temp copy
            return text.replace(f"{tmp}/", "")

        try:
            report = ingest_police(engine(), _save(files, Path(tmp)), progress=progress)
        except IngestError as exc:
            st.error(f"Refused: {shown(str(exc))}. Nothing was loaded.")
            return
    bar.empty()
    data_changed()
    auth.record("data_upload", f"police.uk: {', '.join(f.name for f in files)[:1000]}")
    table = pd.DataFrame([vars(r) for r in report.files])
    table["file_name"] = table["file_name"].map(shown)
    table["error"] = table["error"].map(shown)
    loaded = len(report.refused) < len(report.files)
    st.session_state["police_upload_result"] = {
        "errors": [f"Refused: {shown(r.error)}. Nothing from this file was loaded."
                   for r in report.refused],
        "success": (f"{report.total('rows'):,} rows loaded, {report.total('no_location'):,} with no "
                    f"location, {report.total('rejected'):,} rejected rows (see Rejected rows above)."
                    if loaded else ""),
        "table": table,
        "notes": [f"{shown(r.file_name)}: {r.note}" for r in report.files if r.note]
        + _month_notes(report),
    }
    st.rerun()  # so the coverage grid and totals above include what was just loaded


def _month_notes(report) -> list[str]:
    from csp_dash.ingest.month_checks import month_count_notes

    loaded = {(f.force, f.month) for f in report.files if f.status in ("loaded", "replaced")}
    return month_count_notes(engine(), loaded) if loaded else []


def boundary_upload() -> None:
    auth.require("upload_data")
    file = st.file_uploader("Boundaries (GeoJSON, GeoPackage, or a zipped shapefile; any projection)",
                            type=["geojson", "json", "gpkg", "zip"], key="up_bounds")
    if not file:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = _save([file], Path(tmp))[0]
        crs = st.text_input("CRS, if the file names none (e.g. EPSG:27700)", key="up_bounds_crs",
                            help="British National Grid is EPSG:27700").strip() or None
        try:
            fields = [c for c in read_boundaries(path, crs).columns if c != "geometry"]
        except IngestError as exc:
            st.error(str(exc).replace(f"{tmp}/", ""))
            return
        c1, c2, c3 = st.columns(3)
        layer = c1.text_input("Layer name", value="estate", help="lsoa, ward, estate, district or your own")
        code = c2.selectbox("Code field", fields)
        name = c3.selectbox("Name field", fields, index=min(1, len(fields) - 1))
        if st.button("Load boundaries", type="primary"):
            with st.status(f"Loading {file.name}...", expanded=True) as status:
                st.write("Checking the polygons, then assigning every crime to the new areas "
                         "and rebuilding the counts...")
                notes: list[str] = []
                try:
                    n = import_boundaries(engine(), path, layer.strip().lower(), code, name,
                                          crs=crs, notes=notes)
                except IngestError as exc:
                    status.update(label=f"{file.name}: refused", state="error")
                    st.error(str(exc).replace(f"{tmp}/", ""))
                    return
                status.update(label=f"{file.name}: loaded", state="complete")
            data_changed()
            auth.record("data_upload", f"boundaries '{layer}' from {file.name}")
            # Rerun so the layer table above shows the new layer; the message survives it.
            st.session_state["_data_flash"] = (
                [f"Layer '{layer}': {n} areas loaded; crimes assigned and counts rebuilt."],
                [note.replace(f"{tmp}/", "") for note in notes])
            st.rerun()


def population_upload(layer_names: list[str]) -> None:
    auth.require("upload_data")
    file = st.file_uploader("Population (CSV of area code and number of residents)", type=["csv"],
                            key="up_pop")
    if not file or not layer_names:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = _save([file], Path(tmp))[0]
        try:
            fields = list(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            st.error(f"{file.name}: cannot be read as a UTF-8 CSV ({exc})")
            return
        c1, c2, c3 = st.columns(3)
        layer = c1.selectbox("Layer", layer_names)
        code = c2.selectbox("Code field", fields)
        pop = c3.selectbox("Population field", fields, index=min(2, len(fields) - 1))
        if st.button("Load population", type="primary"):
            notes: list[str] = []
            try:
                n = import_population(engine(), path, layer, code, pop, notes=notes)
            except IngestError as exc:
                st.error(str(exc).replace(f"{tmp}/", ""))
                return
            data_changed()
            auth.record("data_upload", f"population for '{layer}' from {file.name}")
            st.success(f"Population set for {n} areas of '{layer}'.")
            for note in notes:
                st.warning(note.replace(f"{tmp}/", ""))


def flash() -> None:
    """Messages from a load that ended in a rerun (so the tables above it are fresh)."""
    done, notes = st.session_state.pop("_data_flash", ([], []))
    for text in done:
        st.success(text)
    for text in notes:
        st.warning(text)
