"""Domestic abuse: SPC against the declared baseline, share of violence, repeat victimisation,
estates and referrals, from partner data. Public view by default; the analyst view is RESTRICTED."""

import streamlit as st

from csp_dash.disclosure.release import PUBLIC_LAYERS
from csp_dash.ui import components
from csp_dash.ui.domestic_abuse import sections as da_sections
from csp_dash.ui.domestic_abuse import view as da_view
from csp_dash.ui.filters import sidebar_filters
from csp_dash.ui.meeting.mode import presenting

da_view.view_from_url()  # before the filters rewrite the URL
f = sidebar_filters()
st.title("Domestic abuse")
components.demo_banner()
if f is None:
    st.info("Load police.uk data on the Data page first.")
    st.stop()
public, dataset = da_view.controls(f.url)
if dataset is None:
    st.info(
        "No domestic abuse partner data is loaded. Load a partner extract on the Data page "
        "(Partner data tab) or with `csp-dash ingest partner PATH --dataset NAME --mapping FILE`."
    )
    st.stop()
if public and f.layer not in PUBLIC_LAYERS:
    da_view.public_layers_message()
    st.stop()
ctx = da_view.context(f, public, dataset)
if public:
    da_view.public_banner(ctx.limit, ctx.label)
else:
    da_view.restricted_banner()
fig = da_sections.compute(ctx)
if not presenting():  # a meeting slide is the SPC chart under the view's banner
    da_view.baseline_line(ctx)
    da_sections.tiles(ctx, fig)
improvement = st.radio(
    "Improvement direction",
    ["neutral", "up", "down"],
    horizontal=True,
    key="da_improvement", bind="query-params",
    help="Neutral by default: more recorded domestic abuse can mean more "
    "abuse or more confidence to report it.",
)
da_sections.spc_section(ctx, improvement)
if presenting():
    st.stop()
da_sections.share_section(ctx, fig)
da_sections.repeat_section(ctx, fig)
da_sections.estate_section(ctx)
da_sections.referral_section(ctx)
if not public:
    with st.expander("Declare the baseline and recording changes", expanded=ctx.baseline is None):
        da_view.declarations(ctx)
da_view.method_notes(ctx)
