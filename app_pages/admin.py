"""Admin: the user and role list (allowlist) and the audit log."""

import streamlit as st

from csp_dash.ui.admin.panels import audit_panel, roles_panel
from csp_dash.ui.auth import require

require("admin")  # the page is listed only for admins; checked again here
st.title("Admin")
roles_tab, audit_tab = st.tabs(["Users and roles", "Audit log"], key="admin_tab",
                              bind="query-params")
with roles_tab:
    roles_panel()
with audit_tab:
    audit_panel()
