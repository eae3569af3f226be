"""Estate hotspots: where crime concentrates and whether a cluster is real (docs/methods.md, "Hotspots").

``analyse`` puts together, for one filter: per-unit figures (count, change, rate, harm, rank),
Gi* with FDR control, sfhotspot classes over sub-periods and the concentration of crime. Units
are the areas of a polygon layer (estates, wards, LSOAs) or H3 cells. ``build_domain`` gives
the units and their spatial weights; it depends on the layer/cells and period but not on the
category, so callers cache it and pass it back in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd
from sqlalchemy import Engine

from csp_dash.analysis.gistar import Weights
from csp_dash.analysis.periods import comparison_window, missing_months, months_in
from csp_dash.analysis.trends import Window
from csp_dash.db import queries
from csp_dash.db.cube import ALL_LAYER, H3_LAYER, H3_RESOLUTION, LSOA_LAYER
from csp_dash.db.district import EVERYTHING, in_effect
from csp_dash.district.deprivation import deciles
from csp_dash.hotspots.areas import AreaWeights, area_frame, area_weights, study_hull
from csp_dash.hotspots.cells import (
    RESOLUTIONS,
    cell_counts,
    cell_month_matrix,
    cell_universe,
    cell_weights,
)
from csp_dash.hotspots.figures import month_matrix, outside_summary, unit_figures
from csp_dash.hotspots.layer_counts import Counts, CubeCounts
from csp_dash.hotspots.periods import SubPeriod, sub_periods
from csp_dash.hotspots.stats import (
    ClassResult,
    Concentration,
    GiSettings,
    classify_periods,
    concentration,
    gi_table,
)
from csp_dash.trends.queries import loaded_months

Unit = Literal["areas", "cells"]
UNIT_WORDS = {"estate": "estates", "ward": "wards", "lsoa": "LSOAs", "district": "districts"}


def unit_word(layer: str) -> str:
    return UNIT_WORDS.get(layer, f"{layer.replace('_', ' ')} areas")


@dataclass(frozen=True)
class HotspotQuery:
    """One view of the page (or one CLI call)."""

    layer: str
    categories: tuple[str, ...] | None  # None = every category
    current: Window
    unit: Unit = "areas"
    resolution: int = H3_RESOLUTION
    ring: int = 1
    weights: AreaWeights = "auto"
    distance_m: float | None = None
    gi: GiSettings = field(default_factory=GiSettings)
    sub_period: SubPeriod = "month"


@dataclass
class Domain:
    """The units analysed and the spatial weights between them."""

    unit: Unit
    units: pd.Index
    names: pd.Series
    residents: pd.Series | None
    households: pd.Series | None
    weights: Weights
    geometry: pd.DataFrame | None  # areas.area_frame's; None for cells
    unit_word: str
    description: str


def counted_layer(q: HotspotQuery) -> str:
    """The cube layer a query counts: its area layer, or the H3 cells'."""
    return H3_LAYER if q.unit == "cells" else q.layer


def _counts(engine: Engine, q: HotspotQuery, counts: Counts | None) -> Counts:
    if counts is None:
        return CubeCounts(engine, counted_layer(q))
    if counts.layer != counted_layer(q):
        raise ValueError(f"counts of layer '{counts.layer}' given for '{counted_layer(q)}'")
    return counts


def build_domain(engine: Engine, q: HotspotQuery, areas: pd.DataFrame | None = None,
                 counts: Counts | None = None) -> Domain:
    """Areas of ``q.layer`` with geometry, or the district's H3 cells for ``q.current``;
    ``areas``: the layer's `area_frame(..., district_only=True)` when the caller has it;
    ``counts``: the layer's counts (layer_counts.py) when the caller holds them."""
    if q.unit == "cells":
        hull = study_hull(engine)
        cells = cell_universe(_counts(engine, q, counts), q.current, q.resolution, hull)
        if len(cells) < 2:
            with engine.connect() as conn:
                no_district = in_effect(conn).status == EVERYTHING
            if no_district:  # the cube counts cells for a district only (db/cube.py)
                raise ValueError("H3 cells are counted for the district: declare it on the Data "
                                 "page or with `csp-dash district set`, or load the LSOA layer")
            raise ValueError("too few H3 cells with crime in this period for Gi*")
        where = "inside the district hull" if hull is not None else "(no district boundary loaded)"
        return Domain(
            "cells", cells, pd.Series("H3 cell " + cells.astype(str), index=cells), None, None,
            cell_weights(cells, q.ring), None, "cells",
            f"{len(cells):,} {RESOLUTIONS[q.resolution]} cells: every cell with any recorded "
            f"crime or ASB in the period, and its neighbours, {where}",
        )  # fmt: skip
    if q.layer == ALL_LAYER:
        raise ValueError("choose an area layer (estate, ward, LSOA...) for hotspots")
    gdf = areas if areas is not None else area_frame(engine, q.layer, district_only=True)
    if gdf.empty:
        raise ValueError(
            f"layer '{q.layer}' has no boundaries loaded: load them on the Data page or with "
            "`csp-dash ingest boundaries`"
        )
    word = unit_word(q.layer)
    return Domain(
        "areas", gdf.index, gdf["name"], gdf["population"], gdf["households"],
        area_weights(gdf, q.weights, q.distance_m, word), gdf, word,
        f"{len(gdf):,} {word} with boundaries loaded",
    )  # fmt: skip


def subject_label(
    engine: Engine, categories: Sequence[str] | None, themes: pd.DataFrame | None = None
) -> str:
    """What is being counted, in words: 'violence and sexual offences', 'acquisitive crime'..."""
    themes = themes if themes is not None else queries.theme_table(engine)
    if categories is None or set(categories) >= set(themes["category"]):
        return "crime and anti-social behaviour"
    if len(categories) == 1:
        return categories[0].lower()
    for theme, group in themes.groupby("theme"):
        if set(group["category"]) == set(categories):
            return theme.lower()
    return "the selected categories"


@dataclass
class HotspotResult:
    query: HotspotQuery
    table: pd.DataFrame  # index code: name, figures, gi_z, p, p_fdr, significance, class
    previous: Window
    comparison: str
    rate_base: str  # "residents" or "households", or "" where no population
    label: str
    weights_statement: str
    gi_statement: str
    domain_description: str
    unit_word: str
    concentration: Concentration
    classes: ClassResult
    outside: dict[str, int]
    missing_months: list[date]
    current_long: pd.DataFrame  # area, category, count for the period (appendices)
    previous_long: pd.DataFrame


def _rate_base(domain: Domain, categories: Sequence[str] | None) -> tuple[str, pd.Series | None]:
    """Burglary is per 1,000 households where every area has them; else per 1,000 residents."""
    if domain.residents is None:
        return "", None
    hh = domain.households
    if (
        categories is not None
        and list(categories) == ["Burglary"]
        and hh is not None
        and hh.notna().all()
        and (hh > 0).all()
    ):
        return "households", hh
    return ("residents", domain.residents) if domain.residents.notna().any() else ("", None)


def analyse(
    engine: Engine,
    q: HotspotQuery,
    harm_weights: pd.Series,
    domain: Domain | None = None,
    themes: pd.DataFrame | None = None,
    counts: Counts | None = None,
    loaded: Sequence[date] | None = None,
) -> HotspotResult:
    """Everything the page and the CLI show for one filter. Looked up when not given: the
    ``domain``, the category -> theme table, the layer's ``counts`` and the ``loaded`` months."""
    counts = _counts(engine, q, counts)
    domain = domain or build_domain(engine, q, counts=counts)
    previous, comparison = comparison_window(q.current)
    cats = list(q.categories) if q.categories is not None else None
    if domain.unit == "cells":
        cur = cell_counts(counts, q.current, cats, q.resolution)
        prev = cell_counts(counts, previous, cats, q.resolution)
        monthly = cell_month_matrix(
            counts, q.current, cats, domain.units, months_in(q.current), q.resolution
        )
    else:
        cur = counts.window(q.current, cats)
        prev = counts.window(previous, cats)
        by_month = counts.window(q.current, cats, by=("month", "area"))
        monthly = month_matrix(by_month, domain.units, months_in(q.current))
    base, population = _rate_base(domain, cats)
    loaded = loaded if loaded is not None else loaded_months(engine)
    missing = missing_months([q.current, previous], loaded)
    table = unit_figures(cur, prev, domain.units, harm_weights, population, not missing)
    if population is not None:
        table.insert(0, "population", population.reindex(table.index).astype(float))
    gi = gi_table(table["count"], domain.weights.w, q.gi)
    table = table.join(gi[["gi_z", "p", "p_fdr", "significance", "neighbours"]])
    classes = classify_periods(
        monthly, sub_periods(q.current, q.sub_period), domain.weights.w, q.gi
    )
    table["class"] = classes.classes if classes.classes is not None else None
    table.insert(0, "name", domain.names.reindex(table.index))
    if q.layer == LSOA_LAYER and domain.unit == "areas":
        dec = deciles(engine)
        if len(dec):
            table["imd_decile"] = dec.reindex(table.index)
    label = subject_label(engine, cats, themes)
    return HotspotResult(
        query=q,
        table=table,
        previous=previous,
        comparison=comparison,
        rate_base=base,
        label=label,
        weights_statement=domain.weights.description,
        gi_statement=q.gi.statement(),
        domain_description=domain.description,
        unit_word=domain.unit_word,
        concentration=concentration(table["count"], label, domain.unit_word),
        classes=classes,
        outside=outside_summary(cur, domain.units),
        missing_months=missing,
        current_long=cur,
        previous_long=prev,
    )
