"""Estate hotspots: where crime concentrates, and whether a cluster is real (Gi* with FDR control,
classes over time, concentration), with the estate profile and the partners-only appendices."""

import streamlit as st

from csp_dash import harm
from csp_dash.ui import components
from csp_dash.ui.auth import allowed
from csp_dash.ui.filters import sidebar_filters
from csp_dash.ui.hotspots import data as hotspot_data
from csp_dash.ui.hotspots import map as hotspot_map
from csp_dash.ui.hotspots import panels as hotspot_panels
from csp_dash.ui.hotspots import sections as hotspot_sections
from csp_dash.ui.hotspots.deprivation import deprivation_section
from csp_dash.ui.meeting.mode import presenting

f = sidebar_filters()
st.title("Estate hotspots")
components.demo_banner()
if f is None:
    st.info("Load police.uk data on the Data page to find hotspots.")
    st.stop()
components.district_note(f.url, f.start, f.end)
layers = hotspot_data.map_layers(f.url)
if not layers:
    st.info("Load boundaries (estates, wards or LSOAs) on the Data page to map hotspots.")
    st.stop()

ctl = hotspot_panels.controls(f, layers)
if ctl.note and not presenting():
    st.info(ctl.note)
weights = hotspot_panels.harm_key(f.url, ctl.scheme)
harm_stamp = harm.weights_stamp(ctl.scheme, hotspot_data.harm_weights(f.url, ctl.scheme))
try:
    result = hotspot_data.analyse(f.url, ctl.mapped, ctl.scheme, weights)
    # The area layer's own figures (profile, appendices) when the map shows cells.
    area_result = result if ctl.cells is None else None
except ValueError as exc:
    st.warning(str(exc))
    st.stop()


def areas():
    return area_result or hotspot_data.analyse(f.url, ctl.areas, ctl.scheme, weights)


if not presenting():
    hotspot_panels.headline(result)
hotspot_map.draw(
    hotspot_map.map_view(
        f.url, ctl.areas, ctl.cells, ctl.metric, ctl.basemap, ctl.scheme, weights, f.area
    )
)
if presenting():  # a meeting slide is the map; the method and the tabs stay on the page
    st.stop()
hotspot_panels.method_panel(result)

# Stable labels: a label that changed with the layer would reset the open tab.
names = ["Hotspots", "Classes over time", "Concentration", "Area profile", "Appendices",
         "Deprivation"]
if not allowed("view_appendices"):  # the appendices are for partners and up
    names.remove("Appendices")
# Only the open tab runs (on_change="rerun"): a filter change pays for what is on screen.
tabs = dict(zip(names, st.tabs(names, key="hs_tab", bind="query-params", on_change="rerun"), strict=True))
if tabs["Hotspots"].open:
    with tabs["Hotspots"]:
        hotspot_sections.ranked_table(result, harm_stamp)
if tabs["Classes over time"].open:
    with tabs["Classes over time"]:
        hotspot_sections.classes_section(result)
if tabs["Concentration"].open:
    with tabs["Concentration"]:
        hotspot_sections.concentration_section(result)
if tabs["Area profile"].open:
    with tabs["Area profile"]:
        hotspot_sections.profile_section(f.url, ctl.areas, areas(), ctl.scheme, weights,
                                         f.area)  # fmt: skip
if "Appendices" in tabs and tabs["Appendices"].open:
    with tabs["Appendices"]:
        hotspot_sections.appendix_section(f.url, ctl.areas, areas(), ctl.scheme, weights,
                                          f.categories, harm_stamp)  # fmt: skip
if tabs["Deprivation"].open:
    with tabs["Deprivation"]:
        deprivation_section(f.url, f.start, f.end, tuple(f.categories), result.label)
