"""Workshop: partners score the candidate priorities live; the facilitator watches the room's
combined result, then closes the workshop with the agreed list.

Participants open /workshop?t=<signed token> (the link or QR code on the facilitator's view);
a signed-in partner picks an open workshop; the facilitator's view is for roles that may run
workshops. No URL parameter turns one view into another.
"""

import streamlit as st

from csp_dash.priorities.workshop.sessions import get_workshop
from csp_dash.ui import components
from csp_dash.ui.auth import allowed
from csp_dash.ui.filters import sidebar_filters
from csp_dash.ui.priorities.data import results
from csp_dash.ui.priorities.yoy import yoy_section
from csp_dash.ui.state import db_url, engine
from csp_dash.ui.workshop import room
from csp_dash.ui.workshop.facilitator import close_form, header, live_results
from csp_dash.ui.workshop.links import partner_choice, token_workshop
from csp_dash.ui.workshop.participant import participant_view
from csp_dash.ui.workshop.setup import keep_params, open_form, read_params, workshop_list
from csp_dash.ui.workshop.summary import summary_downloads

token = st.query_params.get("t")
if token:
    # Partners need no filters: everything they see was frozen when the workshop opened.
    wid = token_workshop(token)
    if wid is not None:
        participant_view(wid)
    st.stop()
if not allowed("run_workshop"):
    wid = partner_choice() if allowed("score_workshop") else None
    if wid is not None:
        participant_view(wid)
    elif not allowed("score_workshop"):
        st.title("Workshop")
        st.info("Workshop participants open the link or QR code the facilitator shares.")
    st.stop()

workshop_id = read_params()
f = sidebar_filters()
keep_params(workshop_id)
ws = get_workshop(engine(), workshop_id)
if ws is None:
    st.title("Workshop")
    components.demo_banner()
    if workshop_id:
        st.warning(f"No workshop '{workshop_id}'.")
    if f is None:
        st.info("Load police.uk data on the Data page first.")
        st.stop()
    open_form(f)
    workshop_list()
    st.stop()

if room.requested():  # the room's screen: large text, no sidebar, refreshing
    room.room_view(ws)
    st.stop()
header(ws)
components.demo_banner()
live_tab, agree_tab, yoy_tab = st.tabs(
    ["Live results", "Agree the list", "Year on year"], key="wf_tab", on_change="rerun",
    bind="query-params",
)
if live_tab.open:  # lazy: the 5-second refresh runs only while the live tab is open
    with live_tab:
        live_results(ws.workshop_id)
if agree_tab.open:
    with agree_tab:
        res = results(db_url(), ws.workshop_id)
        close_form(ws, res)
        summary_downloads(res)
if yoy_tab.open:
    with yoy_tab:
        yoy_section(ws.year, key="wf_yoy")
