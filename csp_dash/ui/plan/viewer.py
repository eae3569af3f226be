"""Who is viewing the Action plan page: their role and organisation, decided on the server
(csp_dash.ui.auth). Every edit is checked against this viewer (``plan.model.can_edit``)."""

from __future__ import annotations

from dataclasses import dataclass

from csp_dash.access.roles import Role
from csp_dash.ui.auth import current_user


@dataclass(frozen=True)
class Viewer:
    role: str  # "analyst", "partner" or "public"
    org: str | None  # the partner's organisation, e.g. "Essex Police"


def viewer() -> Viewer:
    user = current_user()
    if user.role >= Role.ANALYST:
        return Viewer("analyst", user.org)
    return Viewer("partner" if user.role == Role.PARTNER else "public", user.org)
