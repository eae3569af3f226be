"""Editing the plan: progress updates (analysts, and partners on their organisation's
actions), plan import and calendar entries (analysts), downloads and the scrutiny review."""

from __future__ import annotations

from datetime import date

import streamlit as st

from csp_dash.ingest.errors import IngestError
from csp_dash.plan import calendar, store
from csp_dash.plan.document import to_docx, to_pdf
from csp_dash.plan.io import export_plan, import_plan
from csp_dash.plan.model import STATUSES, can_edit
from csp_dash.plan.review import build_review, record_review
from csp_dash.ui.plan import data
from csp_dash.ui.plan.viewer import Viewer
from csp_dash.ui.state import get_engine


def progress_form(url: str, v: Viewer) -> None:
    acts = data.plan_frames(url)["actions"]
    mine = acts[[can_edit(v.role, v.org, o) for o in acts["owner"]]]
    st.subheader("Progress update")
    if mine.empty:
        who = f"{v.org}" if v.org else "your organisation"
        st.caption(f"No actions in the plan are owned by {who}.")
        return
    labels = {int(r["action_id"]): f"{r['name']} ({r['owner']})" for _, r in mine.iterrows()}
    with st.form("plan_update", clear_on_submit=True):
        action_id = st.selectbox("Action", list(labels), format_func=labels.get, key="pu_action")
        current = mine.set_index("action_id").loc[action_id, "status"]
        status = st.selectbox("Status", STATUSES, index=STATUSES.index(current), key="pu_status")
        when = st.date_input("Date", value=date.today(), format="DD/MM/YYYY", key="pu_date")
        comment = st.text_area("Progress", max_chars=2000, key="pu_comment")
        if st.form_submit_button("Record the update"):
            try:  # store.add_update checks the role and organisation again, on the server
                store.add_update(get_engine(url), action_id, status=status, comment=comment,
                                 role=v.role, org=v.org, update_date=when, author=v.org)
            except (ValueError, PermissionError) as exc:
                st.error(str(exc))
            else:
                data.clear()
                st.success("Update recorded.")


def import_form(url: str) -> None:
    st.subheader("Import the plan")
    st.caption("A CSV or XLSX with one row per action and measure (columns as in the export). "
               "It replaces the plan; progress updates stay with their actions.")
    up = st.file_uploader("Plan file", type=["csv", "xlsx"], key="plan_upload")
    if up is not None and st.button("Replace the plan with this file", key="plan_import"):
        try:
            n = import_plan(get_engine(url), up.getvalue(), file_name=up.name)
        except IngestError as exc:
            st.error(f"Refused, nothing was changed: {exc}")
        else:
            data.clear()
            st.success(f"Plan loaded: {n['objectives']} objectives, {n['actions']} actions, "
                       f"{n['measures']} measures.")


def calendar_form(url: str) -> None:
    with st.form("plan_calendar", clear_on_submit=True):
        st.markdown("**Add a calendar entry**")
        c1, c2, c3 = st.columns(3)
        label = c1.text_input("Entry", max_chars=200, placeholder="ASB Awareness Week")
        kind = c2.selectbox("Kind", calendar.CALENDAR_KINDS)
        scope = c3.text_input("Charts it marks", value="all",
                              help="all, or a theme, category or dataset name")
        c4, c5, c6 = st.columns(3)
        start = c4.date_input("Start", value=date.today(), format="DD/MM/YYYY")
        end = c5.date_input("End (optional)", value=None, format="DD/MM/YYYY")
        owner = c6.text_input("Owner", max_chars=200)
        if st.form_submit_button("Add the entry"):
            try:
                calendar.add_entry(get_engine(url), label, kind, start, end,
                                   scope=scope.strip() or "all", owner=owner.strip() or None)
            except ValueError as exc:
                st.error(str(exc))
            else:
                data.clear()
                st.cache_data.clear()  # the trend charts read the events too
                st.success("Entry added.")


def files_section(url: str, v: Viewer) -> None:
    plan = store.load_plan(get_engine(url))
    st.subheader("The plan as a spreadsheet")
    c1, c2 = st.columns(2)
    c1.download_button("Plan (CSV)", export_plan(plan, "csv"), "action_plan.csv", "text/csv",
                       key="dl_plan_csv")
    c2.download_button("Plan (XLSX)", export_plan(plan, "xlsx"), "action_plan.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="dl_plan_xlsx")
    st.subheader("Scrutiny review")
    st.caption("Each priority, its actions and statuses, each measure's chart and sentence, the "
               "calendar, and what changed since the last recorded review.")
    if st.button("Prepare the scrutiny review", key="plan_prepare"):
        with st.spinner("Drawing the charts and writing Word and PDF…"):
            doc = build_review(get_engine(url))
            st.session_state["plan_review"] = (to_docx(doc), to_pdf(doc))
    ready = st.session_state.get("plan_review")
    if ready:
        c1, c2 = st.columns(2)
        c1.download_button("Scrutiny review (Word)", ready[0], "scrutiny_review.docx",
                           "application/vnd.openxmlformats-officedocument.wordprocessingml."
                           "document", key="dl_review_docx")
        c2.download_button("Scrutiny review (PDF)", ready[1], "scrutiny_review.pdf",
                           "application/pdf", key="dl_review_pdf")
    if v.role == "analyst" and st.button("Record this review", key="plan_record",
                                         help="The next review says what changed since today."):
        when = record_review(get_engine(url))
        st.success(f"Review recorded on {when:%d %b %Y}.")
