"""police.uk categories and the default category -> theme table (editable in the database)."""

from __future__ import annotations

# Default themes, one theme per category so that totals add up (DESIGN.md section 3).
DEFAULT_THEMES: dict[str, str] = {
    "Violence and sexual offences": "Violence",
    "Robbery": "Violence",
    "Possession of weapons": "Violence",
    "Burglary": "Acquisitive crime",
    "Vehicle crime": "Acquisitive crime",
    "Shoplifting": "Acquisitive crime",
    "Theft from the person": "Acquisitive crime",
    "Bicycle theft": "Acquisitive crime",
    "Other theft": "Acquisitive crime",
    "Anti-social behaviour": "ASB and disorder",
    "Public order": "ASB and disorder",
    "Criminal damage and arson": "ASB and disorder",
    "Drugs": "Drugs",
    "Other crime": "Other crime",
}

POLICE_CATEGORIES: frozenset[str] = frozenset(DEFAULT_THEMES)
ASB = "Anti-social behaviour"
