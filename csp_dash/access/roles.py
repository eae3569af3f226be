"""Roles, each a superset of the one before, and the actions each needs.

`can(role, action)` is the one question every restricted page, view, export and data function
asks; an action missing from ACTIONS is refused (fail closed).
"""

from __future__ import annotations

from enum import IntEnum


class Role(IntEnum):
    PUBLIC = 0
    PARTNER = 1
    ANALYST = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()


def parse(value: str | Role | None) -> Role:
    """A role from its name ("analyst"); unknown or empty text is public."""
    if isinstance(value, Role):
        return value
    try:
        return Role[(value or "").strip().upper()]
    except KeyError:
        return Role.PUBLIC


def role_names() -> list[str]:
    return [r.label for r in Role]


# The least role for each action. Public is listed where a view needs an explicit entry.
ACTIONS: dict[str, Role] = {
    "view_public": Role.PUBLIC,
    "view_appendices": Role.PARTNER,
    "view_partner_figures": Role.PARTNER,
    "score_workshop": Role.PARTNER,
    "view_da_analyst": Role.ANALYST,
    "upload_data": Role.ANALYST,
    "edit_settings": Role.ANALYST,
    "edit_events": Role.ANALYST,
    "edit_baselines": Role.ANALYST,
    "edit_weights": Role.ANALYST,
    "edit_scoring_model": Role.ANALYST,
    "edit_priorities": Role.ANALYST,
    "edit_meeting_packs": Role.ANALYST,
    "edit_report": Role.ANALYST,
    "run_workshop": Role.ANALYST,
    "manage_users": Role.ADMIN,
    "view_audit": Role.ADMIN,
}


def can(role: str | Role | None, action: str) -> bool:
    """True when `role` may do `action`; unknown actions are refused."""
    needed = ACTIONS.get(action)
    return needed is not None and parse(role) >= needed
