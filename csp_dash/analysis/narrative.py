"""Plain-English headline sentences for a period against its comparison period.

"All crime" follows the ONS convention and excludes anti-social behaviour (ASB); ASB is
reported beside it, as incidents. The figures (change, %, z, significance, direction) come
from ``trends.change_stats`` and are never recomputed here: a sentence says what the tables
say. Where the comparison is withheld (months with no data), the sentence gives the count alone.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from csp_dash.analysis.trends import NOT_COMPARABLE, change_stats
from csp_dash.vocab import ALL_CRIME as ALL_CRIME_LABEL
from csp_dash.vocab import ASB as ASB_CATEGORY

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


def headline_sentence(label: str, current: float, previous: float,
                      significant: bool | None = None) -> str:
    """One sentence, e.g. "Burglary fell 12.0% (820 to 722), a significant decrease.".

    ``significant`` defaults to the Poisson test of ``trends.change_stats``.
    """
    if significant is None:
        significant = bool(change_stats(current, previous)["significant"][0])
    if current == 0 and previous == 0:
        return f"{label}: none recorded in either period."
    if previous == 0:
        return f"{label}: {format_count(current)} against none in the comparison period."
    if current == previous:
        return f"{label}: no change ({format_count(current)} in both periods)."
    rose = current > previous
    pct = (current - previous) / previous * 100.0
    head = (
        f"{label} {'rose' if rose else 'fell'} {format_pct(pct)} "
        f"({format_count(previous)} to {format_count(current)})"
    )
    if significant:
        return f"{head}, a significant {'increase' if rose else 'decrease'}."
    return f"{head}: no significant change."


def withheld_sentence(label: str, current: float, n_missing: int) -> str:
    return (f"{label}: {format_count(current)} in the period; no comparison, as "
            f"{n_missing} month(s) of the two periods have no data loaded.")


def _number(value) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() else value


def _clean(value):
    """None for NaN, a plain number otherwise (JSON and sentences read these)."""
    if value is None or pd.isna(value):
        return None
    return _number(value) if isinstance(value, int | float) else value


def headline_item(label: str, kind: str, row: Mapping, n_missing: int = 0) -> dict:
    """A headline dict from a comparison row (current, previous and, where the caller has
    them, the ``change_stats`` columns): the figures, their significance and the sentence."""
    current, previous = _number(row["current"]), _number(row["previous"])
    if "direction" in row:
        stats = {k: row[k] for k in ("change", "pct", "z", "significant", "direction")}
    else:
        stats = {k: v[0] for k, v in change_stats(current, previous, not n_missing).items()}
    withheld = stats["direction"] == NOT_COMPARABLE
    sentence = (withheld_sentence(label, current, n_missing) if withheld
                else headline_sentence(label, current, previous, bool(stats["significant"])))
    return {
        "label": label,
        "kind": kind,
        "current": current,
        "previous": previous,
        "change": _clean(stats["change"]),
        "pct": _clean(stats["pct"]),
        "z": _clean(stats["z"]),
        "significant": bool(stats["significant"]),
        "direction": str(stats["direction"]),
        "sentence": sentence,
    }


def _category_movers(rows: pd.DataFrame, label_col: str, top_n: int, skip: set) -> list[dict]:
    """The biggest significant risers then fallers, by change in count (then |z|)."""
    rows = rows[~rows[label_col].isin(skip)]
    items = [
        headline_item(str(r[label_col]), "category", r) for _, r in rows.iterrows()
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
    all_crime_label: str = ALL_CRIME_LABEL,
    n_missing: int = 0,
) -> list[dict]:
    """Headline items: all crime, ASB, each theme, then the top category risers and fallers.

    ``yoy`` is a ``trends.year_on_year`` table by category (label in ``label_col``).
    All crime is ``all_crime_row`` (a comparison row) or, if not given, the sum of every
    category except ASB. ``n_missing`` months with no data withhold every comparison. ASB appears only if ``yoy`` has a row for
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
    items = [headline_item(all_crime_label, "all_crime", all_crime_row, n_missing)]
    for _, row in yoy[is_asb].iterrows():
        items.append(headline_item(ASB_LABEL, "asb", row, n_missing))
    theme_labels: set = set()
    if themes is not None:
        for _, row in themes.iterrows():
            theme_labels.add(row[theme_col])
            items.append(headline_item(str(row[theme_col]), "theme", row, n_missing))
    if not n_missing:  # risers and fallers need a comparison
        items.extend(_category_movers(crimes, label_col, top_n, theme_labels))
    return items
