"""Priorities: the Strategic Risk Assessment. Candidates scored on a MoRiLE-style model, with
data-driven proposals and their evidence, public concern from the survey, and year on year."""

import streamlit as st

from csp_dash import harm
from csp_dash.access.roles import Role, can
from csp_dash.ui import components
from csp_dash.ui.auth import current_role
from csp_dash.ui.filters import area_label, sidebar_filters
from csp_dash.ui.priorities.data import assessment
from csp_dash.ui.priorities.edit import candidates_editor, model_editor, scores_editor
from csp_dash.ui.priorities.survey import concern_section, survey_picker, survey_upload
from csp_dash.ui.priorities.views import ranked_section, stamp_lines
from csp_dash.ui.priorities.yoy import agreed_upload, yoy_section

f = sidebar_filters()
st.title("Priorities")
components.demo_banner()
role = current_role()
if role < Role.PARTNER:
    # The public see the agreed priorities and how they moved; scoring is for the partnership.
    yoy_section(key="pr_yoy")
    st.stop()
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
    key="pr_scheme", bind="query-params",
    help="Switch scheme to see how the ranking changes.",
)
with c2:
    survey = survey_picker(f.url)
# True counts of sensitive data for analysts only; everyone else sees the public release.
bundle = assessment(f.url, f.end, f.layer, f.area, survey, scheme, f.length,
                    public=not can(current_role(), "view_da_analyst"))
stamp = stamp_lines(bundle["proposals"].note, scheme)
analyst = can(role, "edit_priorities")

# Lazy tabs: only the open tab's content runs, so a rerun pays for one view, not six.
# Partners read the ranking, concern and movement; the editors are the analyst's.
names = ["Ranked list", "Scores", "Candidates", "Public concern", "Scoring model", "Year on year"]
if not analyst:
    names = [n for n in names if n not in ("Scores", "Candidates", "Scoring model")]
tabs = dict(zip(names, st.tabs(names, key="pr_tab", bind="query-params", on_change="rerun"), strict=True))
if tabs["Ranked list"].open:
    with tabs["Ranked list"]:
        ranked_section(bundle, scheme, stamp)
        if can(role, "run_workshop"):
            st.page_link(
                "app_pages/workshop.py",
                label="Open a partner workshop on these candidates",
                icon=":material/groups:",
            )
if analyst and tabs["Scores"].open:
    with tabs["Scores"]:
        scores_editor(bundle)
if analyst and tabs["Candidates"].open:
    with tabs["Candidates"]:
        candidates_editor()
if tabs["Public concern"].open:
    with tabs["Public concern"]:
        concern_section(f.url, survey, bundle["model"])
        if analyst:
            survey_upload()
if analyst and tabs["Scoring model"].open:
    with tabs["Scoring model"]:
        model_editor(bundle["model"])
if tabs["Year on year"].open:
    with tabs["Year on year"]:
        yoy_section(key="pr_yoy")
        if analyst:
            agreed_upload()
