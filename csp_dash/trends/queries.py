"""Small queries the trends page needs beside the cube: loaded months, populations, directions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select

from csp_dash.analysis.spc import IMPROVEMENTS
from csp_dash.db.cube import ALL_AREA, ALL_LAYER, LSOA_LAYER, POLICE
from csp_dash.db.district import lsoa_codes as district_lsoa_codes
from csp_dash.db.queries import WHOLE_LAYERS
from csp_dash.db.schema import areas, cube
from csp_dash.db.schema_trends import theme_directions
from csp_dash.db.version import bump
from csp_dash.vocab import layer_singular

DEFAULT_IMPROVEMENT = "down"


@dataclass(frozen=True)
class Population:
    """Residents and households behind a rate, or why there is none (``note``)."""

    residents: float | None
    households: float | None
    note: str


def loaded_months(engine: Engine, source: str = POLICE) -> list[date]:
    """Months with any data loaded (a month absent here is a gap, not a zero)."""
    stmt = (
        select(cube.c.month)
        .where(cube.c.source == source, cube.c.layer.in_(WHOLE_LAYERS),
               cube.c.area_code == ALL_AREA)
        .distinct()
        .order_by(cube.c.month)
    )
    with engine.connect() as conn:
        return [pd.Timestamp(m).date() for m in conn.execute(stmt).scalars()]


def _layer_population(engine: Engine, layer: str, area: str | None):
    a = areas.c
    stmt = select(
        func.count(),
        func.count(a.population),
        func.sum(a.population),
        func.count(a.households),
        func.sum(a.households),
    ).where(a.layer == layer)
    if area is not None:
        stmt = stmt.where(a.code == area)
    with engine.connect() as conn:
        if layer == LSOA_LAYER and area is None:  # the district's LSOAs, not every one loaded
            stmt = stmt.where(a.code.in_(district_lsoa_codes(conn)))
        return conn.execute(stmt).one()


def area_population(engine: Engine, layer: str, area: str | None) -> Population:
    """Population for an area (or every area of a layer, or the whole area from the LSOAs).

    Rates need every area in the selection to have a population; otherwise none is given and
    ``note`` says why. Households are given only where every area has them.
    """
    if layer == ALL_LAYER:
        n, n_pop, pop, n_hh, hh = _layer_population(engine, LSOA_LAYER, None)
        where = "the district (sum of its LSOA populations)"
        if n == 0 or n_pop == 0:
            return Population(
                None,
                None,
                "Rates need LSOA populations for the whole area: load "
                "LSOA boundaries and population on the Data page.",
            )
    else:
        n, n_pop, pop, n_hh, hh = _layer_population(engine, layer, area)
        where = f"area {area}" if area else f"every {layer_singular(layer)}"
        if n == 0:
            return Population(
                None,
                None,
                f"No {layer_singular(layer)} boundaries are loaded, so {where} has no "
                "population: rates are hidden.",
            )
    if n_pop < n:
        return Population(
            None,
            None,
            f"{n - n_pop} of {n} areas have no population, so rates for {where} are hidden.",
        )
    households = float(hh) if n_hh == n and hh else None
    return Population(float(pop), households, f"Population of {where}: {float(pop):,.0f}.")


def directions(engine: Engine) -> dict[str, str]:
    """Stored improvement directions per theme (themes not listed improve downward)."""
    with engine.connect() as conn:
        rows = conn.execute(select(theme_directions.c.theme, theme_directions.c.improvement)).all()
    return {theme: improvement for theme, improvement in rows}


def set_directions(engine: Engine, new: dict[str, str]) -> None:
    """Store each theme's direction; "down", the default, is stored as no row."""
    for theme, improvement in new.items():
        if improvement not in IMPROVEMENTS:
            raise ValueError(f"{theme}: direction must be one of {', '.join(IMPROVEMENTS)}")
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(delete(theme_directions).where(theme_directions.c.theme.in_(list(new))))
        rows = [
            {"theme": t, "improvement": d, "edited_at": now}
            for t, d in new.items()
            if d != DEFAULT_IMPROVEMENT
        ]
        if rows:
            conn.execute(insert(theme_directions), rows)
        bump(conn)
