"""The Data page's district panel: what the figures count, and declaring the district."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from csp_dash.district import declare
from csp_dash.ingest.errors import IngestError
from csp_dash.ui.cached import district_coverage
from csp_dash.ui.state import data_changed, db_url, engine

HOW = {
    "lsoa": "Every loaded LSOA",
    "prefix": "LSOAs whose name starts with ...",
    "codes": "A file of LSOA codes",
    "boundary": "A boundary file",
}


def _declared(n: int) -> None:
    data_changed()
    st.session_state["_data_flash"] = ([f"District declared: {n:,} LSOAs. Every figure now "
                                        "counts only its records."], [])
    st.rerun()


def district_panel() -> None:
    cov = district_coverage(db_url())
    st.markdown(f"**{cov.status_note}**")
    st.caption(cov.sentence)
    with st.expander("Declare the district"):
        how = st.radio("The district is", list(HOW), format_func=HOW.get, horizontal=True,
                       key="dist_how")
        try:
            if how == "lsoa" and st.button("Declare", key="dist_lsoa"):
                _declared(declare.from_lsoa_layer(engine()))
            elif how == "prefix":
                prefix = st.text_input("Local authority name", placeholder="Colchester",
                                       key="dist_prefix")
                if prefix.strip() and st.button("Declare", key="dist_prefix_go"):
                    _declared(declare.from_name_prefix(engine(), prefix))
            elif how in ("codes", "boundary"):
                kinds = ["csv", "txt"] if how == "codes" else ["geojson", "json", "gpkg", "zip"]
                file = st.file_uploader(HOW[how], type=kinds, key=f"dist_{how}")
                if file and st.button("Declare", key=f"dist_{how}_go"):
                    with tempfile.TemporaryDirectory() as tmp:
                        path = Path(tmp) / Path(file.name).name
                        path.write_bytes(file.getvalue())
                        if how == "codes":
                            n = declare.from_lsoa_codes(engine(), declare.read_code_file(path),
                                                        path.stem, file.name)
                        else:
                            n = declare.from_boundary(engine(), path)
                    _declared(n)
        except (ValueError, IngestError) as exc:
            st.error(str(exc))
