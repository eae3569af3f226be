"""The partnership's words, defined once: police.uk categories, default themes, totals, layers.

The category -> theme table is editable in the database; these are its defaults.
"""

from __future__ import annotations

# Default themes, one theme per category so that totals add up (docs/methods.md, "Themes").
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

#: "All crime" follows the ONS convention and excludes ASB, which is reported beside it.
ALL_CRIME = "All crime (excluding anti-social behaviour)"
#: The crime total when the filters pick some categories rather than all.
SELECTED_CRIME = "Selected crime categories (excluding anti-social behaviour)"

#: Area layers in the partnership's words ("all" is the whole district).
LAYER_LABELS: dict[str, str] = {"all": "Whole area", "lsoa": "LSOA", "ward": "Ward",
                                "estate": "Estate", "district": "District", "h3": "H3 cell"}


def layer_label(layer: str) -> str:
    return LAYER_LABELS.get(layer, layer.replace("_", " ").title())


def layer_singular(layer: str) -> str:
    """'LSOA', 'ward', 'H3 cell': a layer's name inside a sentence (acronyms and codes keep
    their case)."""
    return " ".join(w if w.isupper() or any(ch.isdigit() for ch in w) else w.lower()
                    for w in layer_label(layer).split())


def sentence_start(text: str) -> str:
    """Text with its first letter capitalised and the rest as written ("LSOAs ranked",
    never "Lsoas ranked" as str.capitalize gives)."""
    return text[:1].upper() + text[1:]


