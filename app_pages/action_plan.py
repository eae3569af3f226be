"""Action plan: the agreed priorities' objectives, actions and measures, each measure's status
computed from the data, the partnership calendar and the scrutiny review."""

import streamlit as st

from csp_dash.ui import components
from csp_dash.ui.plan import edit, views
from csp_dash.ui.plan.viewer import viewer
from csp_dash.ui.state import db_url

url = db_url()
v = viewer()
st.title("Action plan")
components.demo_banner()
if v.role == "public":
    views.public_summary(url)
    views.calendar_section(url)
    st.stop()

who = "analyst" if v.role == "analyst" else f"partner ({v.org or 'no organisation'})"
st.caption(f"Viewing as {who}. Each measure compares the latest 12 months with its baseline "
           "period and target, with SPC for special-cause variation; months with no data are "
           "named, never counted as zero.")
plan_tab, update_tab, cal_tab, files_tab, public_tab = st.tabs(
    ["Plan", "Progress", "Calendar", "Review and files", "Public summary"],
    key="plan_tab", on_change="rerun", bind="query-params")
if plan_tab.open:
    with plan_tab:
        views.plan_section(url)
if update_tab.open:
    with update_tab:
        edit.progress_form(url, v)
        if v.role == "analyst":
            edit.import_form(url)
if cal_tab.open:
    with cal_tab:
        views.calendar_section(url)
        if v.role == "analyst":
            edit.calendar_form(url)
if files_tab.open:
    with files_tab:
        edit.files_section(url, v)
if public_tab.open:
    with public_tab:
        views.public_summary(url)
