"""Which editions a role may produce: the partners edition for partners and above only."""

from __future__ import annotations

from csp_dash.report.model import PARTNERS, PUBLIC

# Lowest to highest; issue 13's roles are expected to use these names.
ROLE_ORDER = ("public", "partner", "analyst", "admin")


def allowed_editions(role: str) -> list[str]:
    """Editions for a role; an unknown role gets the public edition only."""
    rank = ROLE_ORDER.index(role) if role in ROLE_ORDER else 0
    return [PUBLIC, PARTNERS] if rank >= ROLE_ORDER.index("partner") else [PUBLIC]
