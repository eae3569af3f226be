"""What every section of one assessment reads, gathered once: the comparison, counts, events.

Every figure comes from the functions the pages call (docs/architecture.md, "Where each
figure comes from"); this module only looks them up once per build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from csp_dash import events, harm
from csp_dash.analysis.periods import label as window_label
from csp_dash.db import queries
from csp_dash.db.cube import ALL_LAYER
from csp_dash.hotspots.analysis import Domain, HotspotQuery, build_domain
from csp_dash.hotspots.areas import area_frame, layers_with_geometry
from csp_dash.overview.comparison import PeriodComparison, compare_periods
from csp_dash.overview.headlines import items_from
from csp_dash.trends.queries import Population, area_population, loaded_months

ESTATE = "estate"
HARM_SCHEME = "css"
NUMBER = "{:,.0f}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def fmt_int(value) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):,.0f}"


def fmt_pct(value) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):+.1f}%"


def fmt_rate(value) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):,.2f}"


@dataclass
class Context:
    engine: Engine
    end: date
    public: bool
    counts: pd.DataFrame  # month, category, count for the whole area (the cube)
    themes: pd.DataFrame
    loaded: list[date]
    cmp: PeriodComparison
    items: list[dict]
    events: pd.DataFrame
    weights: pd.Series
    population: Population
    estates: gpd.GeoDataFrame | None
    outline: gpd.GeoDataFrame | None
    domain: Domain | None

    @property
    def current_label(self) -> str:
        return window_label(self.cmp.current)

    @property
    def previous_label(self) -> str:
        return window_label(self.cmp.previous)

    def events_for(self, scopes: list[str]) -> pd.DataFrame:
        ev = self.events
        return ev[ev["scope"].isin(["all", *scopes])] if len(ev) else ev

    def item_for(self, kind: str, name: str) -> dict | None:
        key = "theme" if kind == "theme" else "category"
        return next((i for i in self.items if i["kind"] == kind and i[key] == name), None)


def _geo(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """An area frame (WGS84 polygons) as a GeoDataFrame, for the report's map drawing."""
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def build_context(engine: Engine, end: date, public: bool) -> Context:
    rng = queries.month_range(engine)
    if rng is None:
        raise ValueError("no police.uk data is loaded: load data before drafting an assessment")
    if not rng[0] <= end <= rng[1]:
        raise ValueError(
            f"the period end {end:%Y-%m} is outside the data loaded ({rng[0]:%Y-%m} to "
            f"{rng[1]:%Y-%m})"
        )
    counts = queries.cube_counts(engine, layer=ALL_LAYER, by=("month", "category"))
    themes = queries.theme_table(engine)
    loaded = loaded_months(engine)
    cmp = compare_periods(counts, themes, end, loaded, 12)
    estates = outline = domain = None
    mapped = layers_with_geometry(engine)
    if ESTATE in mapped:
        estates = _geo(area_frame(engine, ESTATE))
        domain = build_domain(engine, HotspotQuery(ESTATE, None, cmp.current))
    if "district" in mapped:
        outline = _geo(area_frame(engine, "district"))
    return Context(
        engine, end, public, counts, themes, loaded, cmp, items_from(cmp, themes),
        events.list_events(engine), harm.weights(engine, HARM_SCHEME),
        area_population(engine, ALL_LAYER, None), estates, outline, domain,
    )  # fmt: skip
