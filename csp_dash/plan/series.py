"""A measure's monthly series from the cube: count, rate or harm, NaN where no data is loaded.

The series is the trends page's (``trends.view.monthly_by_category`` and ``measure_series``),
so a measure and the Crime trends chart of the same selection show the same figures.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from csp_dash import harm
from csp_dash.db import queries
from csp_dash.db.cube import ALL_LAYER, POLICE
from csp_dash.db.schema_partner import partner_datasets
from csp_dash.plan.measure import MeasureStatus, measure_status
from csp_dash.plan.model import Measure
from csp_dash.trends import queries as tq
from csp_dash.trends.view import measure_series as trend_measure_series
from csp_dash.trends.view import monthly_by_category
from csp_dash.vocab import POLICE_CATEGORIES

HARM_SCHEME = "css"  # measures weigh harm by the ONS Crime Severity Score (docs/methods.md)


def datasets(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(partner_datasets.c.dataset)).scalars())


def check_series(engine: Engine, m: Measure) -> None:
    """Refuse a series that names no category, theme or dataset of this database."""
    if m.kind == "category" and m.name not in POLICE_CATEGORIES:
        raise ValueError(f"'{m.name}' is not a police.uk category")
    if m.kind == "theme":
        themes = sorted(set(queries.theme_table(engine)["theme"]))
        if m.name not in themes:
            raise ValueError(f"'{m.name}' is not a theme (themes: {', '.join(themes)})")
    if m.kind == "dataset":
        known = datasets(engine)
        if m.name not in known:
            raise ValueError(f"'{m.name}' is not a loaded partner dataset "
                             f"({', '.join(known) or 'none loaded'})")


def _categories(engine: Engine, m: Measure) -> list[str] | None:
    if m.kind == "category":
        return [m.name]
    if m.kind == "theme":
        themes = queries.theme_table(engine)
        return list(themes.loc[themes["theme"] == m.name, "category"])
    return None  # a dataset: every category it writes


def monthly_series(engine: Engine, m: Measure) -> tuple[pd.Series, str]:
    """(monthly values over the source's loaded months, axis label); raises ValueError where
    the value cannot be given (a rate without a population)."""
    source = m.name if m.kind == "dataset" else POLICE
    layer = m.layer or ALL_LAYER
    cats = _categories(engine, m)
    counts = queries.cube_counts(engine, layer=layer, by=("month", "category"),
                                 areas_in=[m.area] if m.area else None, categories=cats,
                                 source=source)
    loaded = tq.loaded_months(engine, source)
    if not loaded:
        return pd.Series(dtype=float, name="value"), "Count"
    cols = cats if cats is not None else (sorted(set(counts["category"])) or ["(no records)"])
    wide = monthly_by_category(counts, cols, loaded, loaded[0], loaded[-1])
    population = tq.area_population(engine, layer, m.area)
    weights = harm.weights(engine, HARM_SCHEME) if m.value == "harm" else None
    return trend_measure_series(wide, m.value, population, weights)


def status_of(engine: Engine, m: Measure) -> tuple[MeasureStatus, pd.Series, str]:
    """The measure's status, its series and label; a value that cannot be given is said."""
    try:
        series, label = monthly_series(engine, m)
    except ValueError as exc:
        st = measure_status(pd.Series(dtype=float), (m.baseline_from, m.baseline_to))
        st.sentence = f"Not comparable: {exc}."
        return st, pd.Series(dtype=float), ""
    st = measure_status(series, (m.baseline_from, m.baseline_to), direction=m.direction,
                        target_pct=m.target_pct)
    return st, series, label
