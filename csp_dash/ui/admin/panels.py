"""Admin: who has which role (the allowlist), and the audit log with its export."""

from __future__ import annotations

import streamlit as st

from csp_dash import config
from csp_dash.access import allowlist, audit
from csp_dash.ui import auth
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.state import engine


def roles_panel() -> None:
    auth.require("manage_users")
    eng = engine()
    admin = config.get("admin_email")
    st.caption(
        "A signed-in user's role is the highest of their email's entry and any claim entry "
        "their identity provider's token matches (e.g. roles=CSP.Analyst for an Entra ID app "
        "role). Anyone else who signs in is public. "
        + (f"Bootstrap admin from configuration: {admin}." if admin else
           "No bootstrap admin configured (CSP_DASH_ADMIN_EMAIL).")
    )
    table = allowlist.entries(eng)
    if table.empty:
        st.info("No entries yet.")
    else:
        table_with_downloads(table.rename(columns={
            "kind": "Kind", "subject": "Email or claim", "role": "Role",
            "added_by": "Added by", "added_at": "Added"}), "users and roles",
            stamp=["CSP Dash users and roles"], key="adm_roles_dl")
    with st.form("adm_add", clear_on_submit=True):
        c1, c2, c3 = st.columns([1, 3, 1])
        kind = c1.selectbox("Kind", list(allowlist.KINDS), key="adm_kind")
        subject = c2.text_input("Email, or claim=value", key="adm_subject",
                                placeholder="jo.bloggs@council.gov.uk  or  roles=CSP.Analyst")
        role = c3.selectbox("Role", ["partner", "analyst", "admin"], key="adm_role")
        if st.form_submit_button("Add or change", type="primary"):
            try:
                stored = allowlist.set_role(eng, kind, subject, role, auth.current_user().actor)
            except ValueError as exc:
                st.error(str(exc))
            else:
                auth.record("roles", f"{kind} {stored} -> {role}")
                st.rerun()
    if not table.empty:
        labels = {f"{r.kind}|{r.subject}": f"{r.kind}: {r.subject} ({r.role})"
                  for r in table.itertuples()}
        c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
        pick = c1.selectbox("Remove an entry", list(labels), format_func=labels.get,
                            key="adm_remove_pick")
        if c2.button("Remove", key="adm_remove"):
            kind, _, subject = pick.partition("|")
            if allowlist.remove(eng, kind, subject):
                auth.record("roles", f"removed {kind} {subject}")
            st.rerun()


def audit_panel() -> None:
    auth.require("view_audit")
    log = audit.entries(engine())
    st.caption(f"{len(log):,} entries, newest first. " + ", ".join(
        f"{k}: {v.lower()}" for k, v in audit.EVENTS.items()))
    shown = log.rename(columns={"at": "When (UTC)", "actor": "Who", "role": "Role",
                                "event": "Event", "detail": "Detail"})
    table_with_downloads(shown, "audit log", stamp=["CSP Dash audit log"], key="adm_audit_dl",
                         shown=shown.head(500))  # the file holds every entry
