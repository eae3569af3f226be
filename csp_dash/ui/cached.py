"""Cached query wrappers: pages call these, keyed by the database URL and its data version."""

from __future__ import annotations

from datetime import date

import pandas as pd

from csp_dash import config
from csp_dash.db import queries
from csp_dash.db.cube import POLICE
from csp_dash.district.coverage import Coverage, MonthlyCoverage
from csp_dash.district.coverage import monthly_coverage as district_coverage_by_month
from csp_dash.trends import queries as trends_queries
from csp_dash.ui.cache import cached
from csp_dash.ui.state import read_engine

TTL = config.cache_ttl()


@cached(ttl=TTL, show_spinner=False)
def cube_counts(url: str, layer: str, by: tuple[str, ...], areas_in: tuple[str, ...] | None = None,
                categories: tuple[str, ...] | None = None, start: date | None = None,
                end: date | None = None, source: str = POLICE) -> pd.DataFrame:
    return queries.cube_counts(read_engine(url), layer=layer, by=by, areas_in=areas_in,
                               categories=categories, start=start, end=end, source=source)


@cached(ttl=TTL, show_spinner=False)
def month_range(url: str) -> tuple[date, date] | None:
    return queries.month_range(read_engine(url))


@cached(ttl=TTL, show_spinner=False)
def loaded_months(url: str) -> list[date]:
    """Months with any police.uk data loaded (a month absent is a gap, not a zero)."""
    return trends_queries.loaded_months(read_engine(url))


@cached(ttl=TTL, show_spinner=False)
def theme_table(url: str) -> pd.DataFrame:
    return queries.theme_table(read_engine(url))


@cached(ttl=TTL, show_spinner=False)
def layer_table(url: str) -> pd.DataFrame:
    return queries.layer_table(read_engine(url))


@cached(ttl=TTL, show_spinner=False)
def area_options(url: str, layer: str) -> dict[str, str]:
    return queries.area_options(read_engine(url), layer)


@cached(ttl=TTL, show_spinner=False)
def area_table(url: str, layer: str) -> pd.DataFrame:
    return queries.area_table(read_engine(url), layer)


@cached(ttl=TTL, show_spinner=False)
def cube_layers(url: str) -> list[str]:
    return queries.cube_layers(read_engine(url))


@cached(ttl=TTL, show_spinner=False)
def monthly_coverage(url: str) -> MonthlyCoverage:
    return district_coverage_by_month(read_engine(url))


def district_coverage(url: str, first: date | None = None, last: date | None = None) -> Coverage:
    """What the district holds and leaves out over the period: summed from the months read
    once per data version, so a new period costs no query."""
    return monthly_coverage(url).over(first, last)


@cached(ttl=TTL, show_spinner=False)
def dataset_titles(url: str) -> dict[str, str]:
    """Partner datasets by title, for headings, choices and export stamps."""
    from csp_dash.db import partner_queries  # imports the partner ingest: not on a first load

    return partner_queries.dataset_titles(read_engine(url))


def dataset_title(url: str, dataset: str) -> str:
    return dataset_titles(url).get(dataset, dataset.replace("_", " "))
