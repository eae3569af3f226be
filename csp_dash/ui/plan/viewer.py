"""Who is viewing the Action plan page: their role and organisation, from ONE function.

TODO(lead, issue 13): connect ``viewer()`` to ``csp_dash.ui.auth.current_role()`` and
``current_user()`` (its organisation) when the roles land, and delete the session-state stub.
Every edit is checked on the server against this viewer (``plan.model.can_edit``).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

# Stub only: tests (and the lead, until issue 13 lands) set these in the session state.
STUB_ROLE_KEY, STUB_ORG_KEY = "plan_viewer_role", "plan_viewer_org"


@dataclass(frozen=True)
class Viewer:
    role: str  # "analyst", "partner" or "public"
    org: str | None  # the partner's organisation, e.g. "Essex Police"


def viewer() -> Viewer:
    """The current viewer. STUB: an analyst unless the session state says otherwise."""
    role = st.session_state.get(STUB_ROLE_KEY, "analyst")
    if role not in ("analyst", "partner", "public"):
        role = "public"  # an unknown role sees only what the public may see
    return Viewer(role, st.session_state.get(STUB_ORG_KEY) or None)
