"""Priorities: the Strategic Risk Assessment. Candidates scored on a MoRiLE-style model, with
data-driven proposals and their evidence, public concern from the survey, and year on year."""

import streamlit as st

from csp_dash import harm
from csp_dash.ui import components
from csp_dash.ui.filters import area_label, sidebar_filters
from csp_dash.ui.priorities.data import assessment
from csp_dash.ui.priorities.edit import candidates_editor, model_editor, scores_editor
from csp_dash.ui.priorities.survey import concern_section, survey_picker, survey_upload
from csp_dash.ui.priorities.views import ranked_section, stamp_lines
from csp_dash.ui.priorities.yoy import agreed_upload, yoy_section

f = sidebar_filters()
st.title("Priorities")
components.demo_banner()
if f is None:
    st.info("Load police.uk data on the Data page to score the candidate priorities.")
    st.stop()
components.district_note(f.url, f.start, f.end)

st.caption(
    f"Strategic Risk Assessment for {area_label(f)}: the {f.length} months to "
    f"{f.end:%b %Y} against their comparison period (12 months, the usual choice, compares "
    "with the 12 before). Partners score the candidates at the workshop."
)
c1, c2 = st.columns(2)
scheme = c1.selectbox(
    "Harm weights",
    list(harm.SCHEMES),
    format_func=harm.SCHEMES.get,
    key="pr_scheme",
    help="Switch scheme to see how the ranking changes.",
)
with c2:
    survey = survey_picker(f.url)
bundle = assessment(f.url, f.end, f.layer, f.area, survey, scheme, f.length)
stamp = stamp_lines(bundle["proposals"].note, scheme)

# Lazy tabs: only the open tab's content runs, so a rerun pays for one view, not six.
ranked_tab, scores_tab, cands_tab, concern_tab, model_tab, yoy_tab = st.tabs(
    ["Ranked list", "Scores", "Candidates", "Public concern", "Scoring model", "Year on year"],
    key="pr_tab",
    on_change="rerun",
)
if ranked_tab.open:
    with ranked_tab:
        ranked_section(bundle, scheme, stamp)
        st.page_link(
            "app_pages/workshop.py",
            label="Open a partner workshop on these candidates",
            icon=":material/groups:",
        )
if scores_tab.open:
    with scores_tab:
        scores_editor(bundle)
if cands_tab.open:
    with cands_tab:
        candidates_editor()
if concern_tab.open:
    with concern_tab:
        concern_section(f.url, survey, bundle["model"])
        survey_upload()
if model_tab.open:
    with model_tab:
        model_editor(bundle["model"])
if yoy_tab.open:
    with yoy_tab:
        yoy_section(key="pr_yoy")
        agreed_upload()
