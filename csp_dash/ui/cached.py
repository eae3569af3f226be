"""Cached query wrappers: pages call these, keyed by the database URL so the cache is shareable."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from csp_dash import config
from csp_dash.db import queries
from csp_dash.db.cube import POLICE
from csp_dash.district.coverage import Coverage, coverage
from csp_dash.ui.state import get_engine

TTL = config.cache_ttl()


@st.cache_data(ttl=TTL, show_spinner=False)
def cube_counts(url: str, layer: str, by: tuple[str, ...], areas_in: tuple[str, ...] | None = None,
                categories: tuple[str, ...] | None = None, start: date | None = None,
                end: date | None = None, source: str = POLICE) -> pd.DataFrame:
    return queries.cube_counts(get_engine(url), layer=layer, by=by, areas_in=areas_in,
                               categories=categories, start=start, end=end, source=source)


@st.cache_data(ttl=TTL, show_spinner=False)
def month_range(url: str) -> tuple[date, date] | None:
    return queries.month_range(get_engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def theme_table(url: str) -> pd.DataFrame:
    return queries.theme_table(get_engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def layer_table(url: str) -> pd.DataFrame:
    return queries.layer_table(get_engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def area_options(url: str, layer: str) -> dict[str, str]:
    return queries.area_options(get_engine(url), layer)


@st.cache_data(ttl=TTL, show_spinner=False)
def area_table(url: str, layer: str) -> pd.DataFrame:
    return queries.area_table(get_engine(url), layer)


@st.cache_data(ttl=TTL, show_spinner=False)
def cube_layers(url: str) -> list[str]:
    return queries.cube_layers(get_engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def district_coverage(url: str, first: date | None = None, last: date | None = None) -> Coverage:
    return coverage(get_engine(url), first, last)
