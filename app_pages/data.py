"""Data: what is loaded (coverage, rows, rejects, layers) and uploads."""

import streamlit as st

from csp_dash.db import queries
from csp_dash.fetch.district import stored_spec
from csp_dash.ui import components
from csp_dash.ui.auth import allowed, require
from csp_dash.ui.data import partner_upload, uploads
from csp_dash.ui.data.coverage import coverage_grid
from csp_dash.ui.data.database import database_switch
from csp_dash.ui.data.district import district_panel
from csp_dash.ui.data.fetch_panel import fetch_panel
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.filters import sidebar_filters
from csp_dash.ui.state import engine
from csp_dash.vocab import layer_label

require("analyst")  # the page is not even listed for lower roles; checked again here
sidebar_filters()
st.title("Data")
components.demo_banner()
database_switch()
uploads.flash()
eng = engine()

summary = queries.load_summary(eng)
c = st.columns(4)
c[0].metric("Rows loaded", f"{summary['rows']:,}", border=True)
c[1].metric("No location", f"{summary['no_location']:,}", border=True,
            help="Rows police.uk gives without coordinates or LSOA: reported on their own line, "
                 "never in an area's figures")
c[2].metric("Rejected rows", f"{summary['rejected']:,}", border=True,
            help="Rows refused for a bad month, impossible coordinates or an unknown category")
c[3].metric("Files", f"{summary['files']:,}", border=True)

st.subheader("The district")
district_panel()

st.subheader("Coverage: months by force")
gaps = queries.missing_months(eng)
for force, months in gaps.items():
    if months:
        st.warning(f"**{force}**: no file for {', '.join(months)}. Totals spanning these months are incomplete.")
coverage_grid(queries.coverage(eng))

st.subheader("Area layers and populations")
layers = queries.layer_table(eng)
if layers.empty:
    st.info("No boundaries loaded. The LSOA layer still works from police.uk's LSOA codes.")
else:
    shown = layers.rename(columns={
        "layer": "Layer", "n_areas": "Areas", "source_file": "File", "code_field": "Code field",
        "name_field": "Name field", "population_source": "Population source",
        "population": "Residents", "areas_with_population": "Areas with population",
        "loaded_at": "Loaded"})
    # Whole residents and layers by name (estate populations are interpolated, so fractional)
    shown["Residents"] = shown["Residents"].round().astype("Int64")
    shown["Layer"] = shown["Layer"].map(layer_label)
    table_with_downloads(shown, "area layers and populations", key="dl_layers",
                         column_config={"Residents": st.column_config.NumberColumn(format="localized")})
    st.caption("Estate and ward populations without their own figures are interpolated from LSOA "
               "populations by area of overlap: an LSOA's residents are shared out in proportion to the "
               "share of its area inside each estate, assuming people are spread evenly within an LSOA.")

rej = queries.reject_sample(eng)
if not rej.empty:
    with st.expander(f"Rejected rows ({summary['rejected']:,}; first {len(rej)} shown)"):
        table_with_downloads(rej, "rejected rows", key="dl_data_rejects")

st.subheader("Load data")
t1, t2, t3, t4, t5 = st.tabs(["police.uk files", "Boundaries", "Population", "Partner data",
                              "Fetch from police.uk"],
                             key="data_tab", bind="query-params")
with t1:
    uploads.police_upload()
with t2:
    uploads.boundary_upload()
with t3:
    uploads.population_upload(list(layers["layer"]) if not layers.empty else [])
with t4:
    partner_upload.partner_upload()
with t5:
    fetch_panel(eng, stored_spec(eng), analyst=allowed("upload_data"))
