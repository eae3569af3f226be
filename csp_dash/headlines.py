"""The Strategic Assessment headlines: plain-English sentences for the latest 12 months.

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

from csp_dash import queries, trends_queries
from csp_dash.analysis.narrative import headlines
from csp_dash.analysis.trends import Window, latest_windows
from csp_dash.db.cube import ALL_LAYER
from csp_dash.overview import compare_periods
from csp_dash.themes import ASB

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
) -> list[dict]:
    """Headline dicts for the 12 months to ``last_month`` against the 12 before.

    ``counts`` has month, category, count (the cube for one area); ``themes`` maps category
    to theme in display order. Each item has label, kind ("all_crime", "asb", "theme" or
    "category"), category or theme, current, previous, change, pct, z, significant,
    direction and sentence.
    """
    cmp = compare_periods(counts, themes, last_month, loaded)
    all_crime = {"current": cmp.all_crime["current"], "previous": cmp.all_crime["previous"]}
    theme_order = list(dict.fromkeys(themes["theme"]))
    by_theme = cmp.themes.set_index("theme").reindex(theme_order).reset_index()
    items = headlines(
        cmp.categories, "category", all_crime_row=all_crime, themes=by_theme, top_n=top_n
    )
    for item in items:
        theme_kind = item["kind"] == "theme"
        item["theme"] = item["label"] if theme_kind else None
        item["category"] = None if theme_kind else item["label"]
        if item["kind"] == "asb":
            item["category"] = ASB
    if not cmp.comparable:
        items = [_withheld(i, len(cmp.missing_months)) for i in items if i["kind"] != "category"]
    return items


def _withheld(item: dict, n_missing: int) -> dict:
    """No change is claimed across a gap in the data: give the latest count alone."""
    item.update(change=None, pct=None, z=None, significant=False,
                direction="no comparison (months missing)")
    item["sentence"] = (f"{item['label']}: {int(item['current']):,} in the latest 12 months; no "
                        f"comparison, as {n_missing} month(s) of the 24 have no data loaded.")
    return item


def item_categories(item: dict, themes: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(themes, categories) the trends page should select to show an item."""
    if item["kind"] == "theme":
        return [item["theme"]], []
    if item["kind"] == "all_crime":
        return [], [c for c in themes["category"] if c != ASB]
    return [], [item["category"]]


def trend_link(
    item: dict, themes: pd.DataFrame, *, layer: str, area: str | None, end: date, length: int = 24
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
) -> dict:
    """Headlines for one area from the database: the windows, the area and the items.

    ``last_month`` defaults to the latest month loaded. Raises ValueError with no data.
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
    items = headline_items(counts, themes, last, top_n=top_n,
                           loaded=trends_queries.loaded_months(engine))
    current, previous = latest_windows(last)
    for item in items:
        item["link"] = trend_link(item, themes, layer=layer, area=area, end=last)
    return {
        "layer": layer,
        "area": area,
        "current_period": _window_text(current),
        "previous_period": _window_text(previous),
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
            f"{result['layer']} {result['area']}" if result["area"] else f"every {result['layer']}"
        )
    )
    lines = [
        f"Latest 12 months ({result['current_period']}) against the previous 12 "
        f"({result['previous_period']}), {where}:"
    ]
    lines += [f"- {item['sentence']}" for item in result["items"]]
    return "\n".join(lines)
