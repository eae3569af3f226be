"""Database glue for horizon scanning: monthly series from the cube, and partner events with
exact dates and projected coordinates for near-repeat analysis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from csp_dash.analysis.trends import complete_months
from csp_dash.db.cube import ALL_LAYER, POLICE
from csp_dash.db.locations import key_to_lonlat
from csp_dash.db.queries import cube_counts, theme_table
from csp_dash.db.schema_partner import partner_datasets, partner_records
from csp_dash.trends.queries import loaded_months

POLICE_UK_REFUSAL = (
    "near-repeat analysis needs each crime's exact date and location; police.uk street data "
    "gives only the month and moves each crime to a nearby anonymised map point, so it cannot "
    "show crimes days and metres apart. Load a force extract of burglary or vehicle crime as "
    "partner data (csp-dash ingest partner ...) and use that dataset."
)


def series_categories(engine: Engine, *, category: str | None = None,
                      theme: str | None = None) -> list[str]:
    """The police.uk categories of one category or one theme (ValueError if unknown)."""
    if (category is None) == (theme is None):
        raise ValueError("give exactly one of a category or a theme")
    themes = theme_table(engine)
    if category is not None:
        return [category]
    cats = themes.loc[themes["theme"] == theme, "category"].tolist()
    if not cats:
        known = ", ".join(sorted(themes["theme"].unique()))
        raise ValueError(f"unknown theme '{theme}'; themes are: {known}")
    return cats


def monthly_series(engine: Engine, *, category: str | None = None, theme: str | None = None,
                   layer: str = ALL_LAYER, area: str | None = None,
                   source: str = POLICE) -> pd.Series:
    """Monthly counts over every month from the first to the last loaded: a loaded month with
    no record of the kind is 0, a month not loaded at all is NaN (a gap, never a zero)."""
    cats = series_categories(engine, category=category, theme=theme)
    if layer != ALL_LAYER and area is None:
        raise ValueError(f"--area is needed with --layer {layer}")
    counts = cube_counts(engine, layer=layer, by=("month",), categories=cats,
                         areas_in=None if layer == ALL_LAYER else [area], source=source)
    months = pd.DatetimeIndex(pd.to_datetime(loaded_months(engine, source)))
    if months.empty:
        raise ValueError("no months are loaded: load police.uk data first")
    s = counts.set_index("month")["count"].reindex(months, fill_value=0).astype(float)
    return complete_months(s).rename(theme or category)


@dataclass
class Events:
    """Events for near-repeat analysis: x, y in metres, whole-number days, and what was dropped."""

    frame: pd.DataFrame  # record_date, x, y, day
    dropped_no_location: int
    crs: str


def utm_crs(lon: np.ndarray) -> str:
    """The UTM zone of the data's mean longitude: metres, no datum grid needed."""
    zone = int((float(np.mean(lon)) + 180) // 6) + 1
    return f"EPSG:{32600 + zone}"


def partner_dataset_names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(partner_datasets.c.dataset)
                                 .order_by(partner_datasets.c.dataset)).scalars())


def event_categories(engine: Engine, dataset: str) -> pd.DataFrame:
    """Categories of a partner dataset with their located record counts."""
    r = partner_records.c
    stmt = (select(r.category, func.count().label("records"),
                   func.count(r.location_key).label("located"))
            .where(r.dataset == dataset).group_by(r.category).order_by(r.category))
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def partner_events(engine: Engine, dataset: str, category: str | None = None) -> Events:
    """Located records of a partner dataset (one category, or all), projected to metres.

    Refuses police.uk data, an unknown dataset, and dates that are only months.
    """
    if dataset.lower() in (POLICE, "police.uk", "street"):
        raise ValueError(POLICE_UK_REFUSAL)
    known = partner_dataset_names(engine)
    if dataset not in known:
        raise ValueError(f"no partner dataset '{dataset}' is loaded"
                         + (f"; loaded: {', '.join(known)}" if known else ""))
    r = partner_records.c
    stmt = select(r.record_date, r.location_key).where(r.dataset == dataset)
    if category is not None:
        stmt = stmt.where(r.category == category)
    with engine.connect() as conn:
        df = pd.read_sql(stmt.order_by(r.record_date, r.file_id, r.row_no), conn)
    if df.empty:
        raise ValueError(f"dataset '{dataset}' has no records"
                         + (f" of category '{category}'" if category else ""))
    located = df.dropna(subset=["location_key"])
    if located.empty:
        raise ValueError(f"no record of '{dataset}' has coordinates; near-repeat needs them")
    dates = pd.to_datetime(located["record_date"])
    if len(located) > 20 and (dates.dt.day == 1).all():
        raise ValueError(f"every date in '{dataset}' is the 1st of a month: the dates look like "
                         "months only, and near-repeat needs the day of each crime")
    lon, lat = key_to_lonlat(located["location_key"].to_numpy(dtype=np.int64))
    crs = utm_crs(lon)
    from pyproj import Transformer  # ~13 MB: only near-repeat needs it, not every trends page

    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    day = (dates - dates.min()).dt.days.to_numpy()
    frame = pd.DataFrame({"record_date": dates.to_numpy(), "x": x, "y": y, "day": day})
    return Events(frame, len(df) - len(located), crs)


def forecast_for(engine: Engine, *, category: str | None = None, theme: str | None = None,
                 layer: str = ALL_LAYER, area: str | None = None, horizon: int = 12,
                 borrow_season: bool = True, end: date | None = None):
    """The forecast of one series and the series itself. An area too small to forecast
    borrows the whole area's seasonal pattern (if ``borrow_season``); else ForecastRefused.
    ``end`` forecasts from that month (a report's period end), ignoring later months."""
    from csp_dash.analysis.forecast import (
        ForecastRefused,
        forecast_borrowed_season,
        forecast_series,
    )

    def cut(s: pd.Series) -> pd.Series:
        return s if end is None else s[s.index <= pd.Timestamp(end)]

    y = cut(monthly_series(engine, category=category, theme=theme, layer=layer, area=area))
    try:
        return forecast_series(y, horizon), y
    except ForecastRefused as exc:
        small = "too small" in str(exc)
        if not (small and borrow_season and layer != ALL_LAYER):
            raise
    district = cut(monthly_series(engine, category=category, theme=theme))
    return forecast_borrowed_season(y, district.dropna(), horizon), y
