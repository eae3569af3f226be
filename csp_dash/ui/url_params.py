"""Notes for a shared link whose parameters do not fit the data (issue 12): the view falls back
to a default, and the user is told so instead of silently seeing something else.

Pure functions (no Streamlit), so they are tested directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date


def url_notes(params: Mapping[str, str], months: list[date], lengths: list[int],
              layer_names: list[str], area_codes: Iterable[str] | None = None,
              theme_names: Iterable[str] | None = None,
              category_names: Iterable[str] | None = None) -> list[str]:
    """One short note per link parameter that names something not loaded or not allowed.

    `months` are newest first (as the filter lists them); `area_codes` are the codes of the
    link's layer when that layer exists.
    """
    notes = []
    end = params.get("end")
    if end and end not in {f"{m:%Y-%m}" for m in months}:
        latest = f"{months[0]:%Y-%m}" if months else "the latest"
        notes.append(f"The link's period {end} is not loaded: showing the latest ({latest}).")
    length = params.get("len")
    if length and not (length.isdigit() and int(length) in lengths):
        notes.append(f"The link's period length {length} is not one of "
                     f"{', '.join(map(str, lengths))} months: showing 12 months.")
    layer = params.get("layer")
    if layer and layer not in layer_names:
        notes.append(f"The link's area layer '{layer}' is not loaded: showing the whole area.")
    area = params.get("area")
    if area and layer in layer_names and area_codes is not None and area not in set(area_codes):
        notes.append(f"The link's area '{area}' is not in layer '{layer}': showing every area.")
    for param, names, what in (("themes", theme_names, "theme"), ("cats", category_names, "category")):
        if not params.get(param) or names is None:
            continue
        unknown = [v for v in params[param].split("|") if v and v not in set(names)]
        if unknown:
            notes.append(f"The link's {what} {', '.join(repr(u) for u in unknown)} is not known: "
                         "left out.")
    return notes
