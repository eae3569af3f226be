"""Cached queries for the domestic abuse page, keyed by database URL (shared across sessions).

ui/data.py's cube_counts has no ``source`` argument, so partner counts are cached here.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from csp_dash import config
from csp_dash.db import partner_queries, queries
from csp_dash.db.cube import ALL_LAYER
from csp_dash.disclosure.published import Release, public_release
from csp_dash.disclosure.release import protect
from csp_dash.disclosure.suppression import SuppressedTable
from csp_dash.domestic_abuse.baseline import monthly_series, repeat_summary
from csp_dash.ui.cache import cached
from csp_dash.ui.state import read_engine

TTL = config.cache_ttl()


@cached(ttl=TTL, show_spinner=False)
def counts(
    url: str,
    source: str,
    layer: str,
    by: tuple[str, ...],
    areas_in: tuple[str, ...] | None = None,
    categories: tuple[str, ...] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    return queries.cube_counts(
        read_engine(url),
        source=source,
        layer=layer,
        by=by,
        areas_in=areas_in,
        categories=categories,
        start=start,
        end=end,
    )


@cached(ttl=TTL, show_spinner=False)
def month_range(url: str, source: str) -> tuple[date, date] | None:
    return queries.month_range(read_engine(url), source)


@cached(ttl=TTL, show_spinner=False)
def datasets(url: str, unit: str = "records") -> list[str]:
    return partner_queries.flagged_datasets(read_engine(url), partner_queries.DOMESTIC, unit)


@cached(ttl=TTL, show_spinner=False)
def mapping_json(url: str, dataset: str) -> str | None:
    m = partner_queries.mapping(read_engine(url), dataset)
    return m.to_json() if m else None


def series(
    url: str,
    source: str,
    layer: str,
    areas_in: tuple[str, ...] | None,
    categories: tuple[str, ...] | None = None,
) -> pd.Series:
    """Monthly counts over the source's whole span, zero-filled."""
    rng = month_range(url, source)
    if rng is None:
        return pd.Series(dtype="int64")
    df = counts(url, source, layer, ("month",), areas_in, categories)
    return monthly_series(df, *rng)


@cached(ttl=TTL, show_spinner=False)
def release(url: str, source: str, limit: int, label: str) -> Release:
    """The source's one public release (disclosure.published), shared by every public figure."""
    return public_release(read_engine(url), source, limit, label)


@cached(ttl=TTL, show_spinner=False)
def referral_release(url: str, source: str, limit: int, label: str) -> SuppressedTable | None:
    """Referrals by destination x every month, protected once over the whole span, so the
    period chosen never changes what is hidden."""
    rng = month_range(url, source)
    df = counts(url, source, ALL_LAYER, ("month", "category"))
    if rng is None or df.empty:
        return None
    months = pd.date_range(pd.Timestamp(rng[0]), pd.Timestamp(rng[1]), freq="MS")
    wide = (
        df.assign(month=pd.to_datetime(df["month"]))
        .pivot_table(index="category", columns="month", values="count", aggfunc="sum")
        .reindex(columns=months).fillna(0).astype("int64")
    )
    wide.index.name = "Referred to"
    return protect(wide, limit, label)


@cached(ttl=TTL, show_spinner=False)
def victim_records(url: str, dataset: str, layer: str, area: str | None) -> pd.DataFrame:
    return partner_queries.victim_records(
        read_engine(url), dataset, partner_queries.DOMESTIC, layer, area
    )


@cached(ttl=TTL, show_spinner=False)
def unkeyed(url: str, dataset: str, start: date, end: date, layer: str, area: str | None) -> int:
    return partner_queries.unkeyed_count(
        read_engine(url), dataset, start, end, partner_queries.DOMESTIC, layer, area
    )


@cached(ttl=TTL, show_spinner=False)
def demo_secret(url: str, dataset: str) -> bool:
    return partner_queries.uses_demo_secret(read_engine(url), dataset)


@cached(ttl=TTL, show_spinner=False)
def repeat(url: str, dataset: str, layer: str, area: str | None, start: date, end: date) -> dict:
    """Repeat victimisation for victims with a record in the area in the period."""
    return repeat_summary(victim_records(url, dataset, layer, area), (start, end))
