"""The Strategic Assessment headlines: plain-English sentences for the period against its
comparison period (12 months against the 12 before, by default).

Items cover all crime (excluding ASB, the ONS convention), ASB incidents, each theme, then
the biggest significant risers and fallers among categories (``analysis.narrative``). Each
item carries a link to its view on the trends page.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote, urlencode

import pandas as pd
from sqlalchemy import Engine

from csp_dash.analysis.narrative import headlines
from csp_dash.analysis.periods import Window
from csp_dash.db import queries
from csp_dash.db.cube import ALL_LAYER
from csp_dash.overview.comparison import PeriodComparison, compare_periods
from csp_dash.trends import queries as trends_queries
from csp_dash.vocab import ASB, layer_label

TRENDS_PATH = "trends"
FIELDS = [
    "label",
    "kind",
    "category",
    "theme",
    "current",
    "previous",
    "change",
    "pct",
    "z",
    "significant",
    "direction",
    "sentence",
]


def headline_items(
    counts: pd.DataFrame,
    themes: pd.DataFrame,
    last_month: date,
    top_n: int = 3,
    loaded: list[date] | None = None,
    length: int = 12,
    categories: list[str] | None = None,
) -> list[dict]:
    """Headline dicts for the ``length`` months to ``last_month`` against their comparison.

    ``counts`` has month, category, count (the cube for one area); ``themes`` maps category
    to theme in display order. ``loaded`` lists the months with data (default: the months
    present in ``counts``). Each item has label, kind ("all_crime", "asb", "theme" or
    "category"), category or theme, current, previous, change, pct, z, significant,
    direction and sentence.
    """
    if loaded is None:
        loaded = sorted(pd.to_datetime(counts["month"]).dt.date.unique())
    cmp = compare_periods(counts, themes, last_month, loaded, length, categories)
    return items_from(cmp, themes, top_n)


def items_from(cmp: PeriodComparison, themes: pd.DataFrame, top_n: int = 3) -> list[dict]:
    """Headline items from a comparison already made (the Overview makes it once per run)."""
    theme_order = [t for t in dict.fromkeys(themes["theme"]) if t in set(cmp.themes["theme"])]
    by_theme = cmp.themes.set_index("theme").reindex(theme_order).reset_index()
    items = headlines(cmp.categories, "category", all_crime_row=cmp.all_crime, themes=by_theme,
                      top_n=top_n, all_crime_label=cmp.crime_label,
                      n_missing=len(cmp.missing_months))
    if not (cmp.categories["category"] == ASB).any():
        items = [i for i in items if i["kind"] != "asb"]
    for item in items:
        theme_kind = item["kind"] == "theme"
        item["theme"] = item["label"] if theme_kind else None
        item["category"] = None if theme_kind else item["label"]
        if item["kind"] == "asb":
            item["category"] = ASB
    return items


def item_categories(item: dict, themes: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(themes, categories) the trends page should select to show an item."""
    if item["kind"] == "theme":
        return [item["theme"]], []
    if item["kind"] == "all_crime":
        return [], [c for c in themes["category"] if c != ASB]
    return [], [item["category"]]


def trend_link(
    item: dict, themes: pd.DataFrame, *, layer: str, area: str | None, end: date, length: int = 12
) -> str:
    """A relative URL opening the trends page on this item, e.g. 'trends?cats=Burglary&...'."""
    sel_themes, sel_cats = item_categories(item, themes)
    params = {"end": f"{end:%Y-%m}", "len": str(length), "layer": layer}
    if area:
        params["area"] = area
    if sel_themes:
        params["themes"] = "|".join(sel_themes)
    if sel_cats:
        params["cats"] = "|".join(sel_cats)
    return f"{TRENDS_PATH}?{urlencode(params, quote_via=quote)}"


def build_headlines(
    engine: Engine,
    layer: str = ALL_LAYER,
    area: str | None = None,
    last_month: date | None = None,
    top_n: int = 3,
    length: int = 12,
) -> dict:
    """Headlines for one area from the database: the windows, the area and the items.

    ``last_month`` defaults to the latest month loaded; ``length`` is the period in months.
    Raises ValueError with no data.
    """
    rng = queries.month_range(engine)
    if rng is None:
        raise ValueError("no police.uk data is loaded")
    last = last_month or rng[1]
    if layer != ALL_LAYER and area is not None:
        names = queries.area_options(engine, layer)
        if area not in names:
            raise ValueError(f"no area '{area}' in layer '{layer}'")
    counts = queries.cube_counts(
        engine, layer=layer, by=("month", "category"), areas_in=[area] if area else None
    )
    themes = queries.theme_table(engine)
    cmp = compare_periods(counts, themes, last, trends_queries.loaded_months(engine), length)
    items = items_from(cmp, themes, top_n)
    for item in items:
        item["link"] = trend_link(item, themes, layer=layer, area=area, end=last, length=length)
    return {
        "layer": layer,
        "area": area,
        "current_period": _window_text(cmp.current),
        "previous_period": _window_text(cmp.previous),
        "comparable": cmp.comparable,
        "missing_months": [f"{m:%Y-%m}" for m in cmp.missing_months],
        "items": items,
    }


def _window_text(window: Window) -> str:
    return f"{window[0]:%Y-%m} to {window[1]:%Y-%m}"


def _clean(value):
    if isinstance(value, float) and pd.isna(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def to_json(result: dict) -> str:
    """The headlines as JSON: windows, area and per item the FIELDS (plus link)."""
    items = [{k: _clean(item.get(k)) for k in [*FIELDS, "link"]} for item in result["items"]]
    return json.dumps(
        {**{k: v for k, v in result.items() if k != "items"}, "items": items}, indent=1
    )


def to_text(result: dict) -> str:
    """The headlines as plain sentences, one a line, under a heading naming the windows."""
    where = (
        "the whole area"
        if result["layer"] == ALL_LAYER
        else (
            f"{layer_label(result['layer'])} {result['area']}" if result["area"]
            else f"every {layer_label(result['layer'])}"
        )
    )
    lines = [
        f"{result['current_period']} against {result['previous_period']}, {where}:"
    ]
    lines += [f"- {item['sentence']}" for item in result["items"]]
    return "\n".join(lines)
