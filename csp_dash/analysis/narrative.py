"""Plain-English headline sentences for the latest 12 months against the previous 12.

"All crime" follows the ONS convention and excludes anti-social behaviour (ASB); ASB is
reported beside it, as incidents. Significance is the Poisson z of ``trends.poisson_z``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from csp_dash.analysis.trends import Z_THRESHOLD, poisson_z

ALL_CRIME_LABEL = "All crime (excluding anti-social behaviour)"
ASB_CATEGORY = "Anti-social behaviour"
ASB_LABEL = "Anti-social behaviour incidents"


def format_count(value: float) -> str:
    """1234 -> '1,234'; a fractional value keeps one decimal place."""
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def format_pct(pct: float) -> str:
    """Absolute percentage to one decimal place, '12.0%'; tiny changes say so."""
    pct = abs(float(pct))
    if 0 < pct < 0.05:
        return "less than 0.1%"
    return f"{pct:,.1f}%"


def headline_sentence(
    label: str,
    current: float,
    previous: float,
    z: float | None = None,
    significant: bool | None = None,
) -> str:
    """One sentence, e.g. "Burglary fell 12.0% (820 to 722), a significant decrease."

    ``significant`` defaults to |z| > 2, with z computed from the counts if not given.
    """
    if current == 0 and previous == 0:
        return f"{label}: none recorded in either period."
    if previous == 0:
        return f"{label}: {format_count(current)} this year against none the year before."
    if current == previous:
        return f"{label}: no change ({format_count(current)} in both periods)."
    if significant is None:
        z = poisson_z(current, previous) if z is None else z
        significant = abs(z) > Z_THRESHOLD
    rose = current > previous
    pct = (current - previous) / previous * 100.0
    head = (
        f"{label} {'rose' if rose else 'fell'} {format_pct(pct)} "
        f"({format_count(previous)} to {format_count(current)})"
    )
    if significant:
        return f"{head}, a significant {'increase' if rose else 'decrease'}."
    return f"{head}: no significant change."


def _number(value) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() else value


def headline_item(label: str, kind: str, current: float, previous: float) -> dict:
    """A headline dict: the figures, their significance and the sentence."""
    current, previous = _number(current), _number(previous)
    z = poisson_z(current, previous)
    significant = abs(z) > Z_THRESHOLD
    change = _number(current - previous)
    pct = (current - previous) / previous * 100.0 if previous else None
    if significant:
        direction = "increase" if change > 0 else "decrease"
    else:
        direction = "no significant change"
    return {
        "label": label,
        "kind": kind,
        "current": current,
        "previous": previous,
        "change": change,
        "pct": pct,
        "z": z,
        "significant": significant,
        "direction": direction,
        "sentence": headline_sentence(label, current, previous, z, significant),
    }


def _category_movers(rows: pd.DataFrame, label_col: str, top_n: int, skip: set) -> list[dict]:
    """The biggest significant risers then fallers, by change in count (then |z|)."""
    rows = rows[~rows[label_col].isin(skip)]
    items = [
        headline_item(str(r[label_col]), "category", r["current"], r["previous"])
        for _, r in rows.iterrows()
    ]
    risers = [i for i in items if i["direction"] == "increase"]
    fallers = [i for i in items if i["direction"] == "decrease"]
    risers.sort(key=lambda i: (-i["change"], -i["z"], i["label"]))
    fallers.sort(key=lambda i: (i["change"], i["z"], i["label"]))
    return risers[:top_n] + fallers[:top_n]


def headlines(
    yoy: pd.DataFrame,
    label_col: str = "category",
    *,
    all_crime_row: Mapping[str, float] | None = None,
    themes: pd.DataFrame | None = None,
    theme_col: str = "theme",
    asb_category: str = ASB_CATEGORY,
    top_n: int = 3,
) -> list[dict]:
    """Headline items: all crime, ASB, each theme, then the top category risers and fallers.

    ``yoy`` is a ``trends.year_on_year`` table by category (label in ``label_col``).
    All crime is ``all_crime_row`` (a mapping with ``current`` and ``previous``) or, if not
    given, the sum of every category except ASB. ASB appears only if ``yoy`` has a row for
    it. ``themes`` is an optional ``year_on_year`` table by theme, listed in its own order.
    Categories whose label repeats a theme's (e.g. Drugs) are not listed twice. Each item
    has label, kind, current, previous, change, pct (None where previous is 0), z,
    significant, direction and sentence.
    """
    for col in (label_col, "current", "previous"):
        if col not in yoy.columns:
            raise ValueError(f"yoy lacks column {col!r}")
    is_asb = yoy[label_col] == asb_category
    crimes = yoy[~is_asb]
    if all_crime_row is None:
        all_crime_row = {"current": crimes["current"].sum(), "previous": crimes["previous"].sum()}
    items = [
        headline_item(
            ALL_CRIME_LABEL, "all_crime", all_crime_row["current"], all_crime_row["previous"]
        )
    ]
    for _, row in yoy[is_asb].iterrows():
        items.append(headline_item(ASB_LABEL, "asb", row["current"], row["previous"]))
    theme_labels: set = set()
    if themes is not None:
        for _, row in themes.iterrows():
            theme_labels.add(row[theme_col])
            items.append(
                headline_item(str(row[theme_col]), "theme", row["current"], row["previous"])
            )
    items.extend(_category_movers(crimes, label_col, top_n, theme_labels))
    return items
