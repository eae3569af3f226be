"""Cached loaders for the trends page, and the per-run context its sections share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from csp_dash import config, harm
from csp_dash import events as events_mod
from csp_dash.trends import comparators as trends_compare
from csp_dash.trends import queries as trends_queries
from csp_dash.trends.queries import Population
from csp_dash.trends.view import monthly_by_category
from csp_dash.ui import cached as data
from csp_dash.ui.cache import cached
from csp_dash.ui.filters import Filters, area_label
from csp_dash.ui.state import get_engine, read_engine

TTL = config.cache_ttl()


@cached(ttl=TTL, show_spinner=False)
def population(url: str, layer: str, area: str | None) -> Population:
    return trends_queries.area_population(read_engine(url), layer, area)


@cached(ttl=TTL, show_spinner=False)
def directions(url: str) -> dict[str, str]:
    return trends_queries.directions(get_engine(url))


@cached(ttl=TTL, show_spinner=False)
def declared_events(url: str, scopes: tuple[str, ...] | None) -> pd.DataFrame:
    return events_mod.list_events(get_engine(url), list(scopes) if scopes is not None else None)


@cached(ttl=TTL, show_spinner=False)
def harm_weights(url: str, scheme: str) -> tuple[pd.Series, list[str]]:
    eng = get_engine(url)
    return harm.weights(eng, scheme), harm.edited_categories(eng, scheme)


@cached(ttl=TTL, show_spinner=False)
def comparison_areas(url: str) -> pd.DataFrame:
    return trends_compare.comparison_areas(read_engine(url))


@cached(ttl=TTL, show_spinner=False)
def comparison_categories(url: str) -> pd.DataFrame:
    return trends_compare.comparison_categories(read_engine(url))


@cached(ttl=TTL, show_spinner=False)
def comparison_periods(
    url: str, areas: tuple[str, ...], categories: tuple[str, ...]
) -> pd.DataFrame:
    return trends_compare.comparison_periods(read_engine(url), areas, categories)


@dataclass(frozen=True)
class TrendContext:
    """What every section of the page needs, computed once per run."""

    f: Filters
    counts: pd.DataFrame  # month, category, count for the area, every month and category
    themes: pd.DataFrame  # category, theme, sort_order
    loaded: list[date]
    population: Population
    place: str  # the area in words
    events: pd.DataFrame  # declared events for the selected themes and categories

    @property
    def categories(self) -> list[str]:
        return list(self.f.categories)

    @property
    def selected_themes(self) -> list[str]:
        theme_of = self.themes.set_index("category")["theme"]
        return list(dict.fromkeys(theme_of.get(c, "Unmapped") for c in self.categories))

    def wide(self, first: date, last: date, categories: list[str] | None = None) -> pd.DataFrame:
        """Months x categories for the selection (NaN rows where no data was loaded)."""
        return monthly_by_category(
            self.counts, categories or self.categories, self.loaded, first, last
        )

    def stamp(self, *extra: str) -> list[str]:
        """Lines heading every export: what, where, when, and the source."""
        lines = [
            f"CSP Dash crime trends: {self.place}; {', '.join(self.categories)}",
            "Source: police.uk street-level crime (Open Government Licence v3.0)",
        ]
        return lines + [e for e in extra if e]


def context(f: Filters) -> TrendContext:
    counts = data.cube_counts(f.url, f.layer, ("month", "category"), f.areas_in)
    themes = data.theme_table(f.url)
    theme_of = themes.set_index("category")["theme"]
    scopes = tuple(sorted({*f.categories, *(theme_of.get(c, "Unmapped") for c in f.categories)}))
    return TrendContext(
        f=f,
        counts=counts,
        themes=themes,
        loaded=data.loaded_months(f.url),
        population=population(f.url, f.layer, f.area),
        place=area_label(f),
        events=declared_events(f.url, scopes),
    )


def clear_events() -> None:
    declared_events.clear()


def clear_weights() -> None:
    harm_weights.clear()


def clear_directions() -> None:
    directions.clear()


def keep_state(*keys: str) -> None:
    """Keep widget values while their tab is closed (Streamlit drops unrendered widgets' state)."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
