"""H3 cells for hotspots: counts at resolution 9 (from the cube) or 8, the study-area cells, and
contiguity weights between cells.

The cube holds layer "h3": each snapped police.uk point's resolution-9 cell, assigned at
ingest. Resolution 8 cells are their parents (``h3.cell_to_parent``), aggregated here. H3
nests only approximately: a point near a hexagon's edge can sit in a res-8 hexagon other than
its res-9 cell's parent. Counting by parent keeps res 8 a pure regrouping of the cube.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import h3
import numpy as np
import pandas as pd
import shapely

from csp_dash.analysis.gistar import Weights, describe_weights
from csp_dash.analysis.trends import Window
from csp_dash.analysis.weights import BinaryWeights
from csp_dash.db.cube import H3_LAYER, H3_RESOLUTION
from csp_dash.hotspots.figures import month_matrix
from csp_dash.hotspots.layer_counts import Counts

#: Resolutions a user may choose, with what a cell is.
RESOLUTIONS: dict[int, str] = {
    9: "H3 resolution 9 (about 0.1 km², 174 m edge)",
    8: "H3 resolution 8 (about 0.74 km², 461 m edge)",
}
#: Ring distance k -> neighbours of an inland cell.
RINGS: dict[int, int] = {1: 6, 2: 18}


def _check(resolution: int) -> None:
    if resolution not in RESOLUTIONS:
        raise ValueError(f"cell resolution must be one of {sorted(RESOLUTIONS)}")


def to_resolution(cells: Sequence[str] | np.ndarray, resolution: int) -> np.ndarray:
    """Each resolution-9 cell's cell at ``resolution`` (itself at 9)."""
    _check(resolution)
    cells = np.asarray(cells, dtype=object)
    if resolution == H3_RESOLUTION:
        return cells
    unique, inverse = np.unique(cells.astype(str), return_inverse=True)
    parents = np.array([h3.cell_to_parent(c, resolution) for c in unique], dtype=object)
    return parents[inverse]


def cell_counts(
    counts: Counts,
    win: Window,
    categories: Sequence[str] | None,
    resolution: int = H3_RESOLUTION,
    by: Sequence[str] = ("area", "category"),
) -> pd.DataFrame:
    """Counts of the h3 layer (``counts``) for the window with ``area`` = the cell at
    ``resolution``, grouped by ``by``."""
    if counts.layer != H3_LAYER:
        raise ValueError(f"cell counts need the {H3_LAYER} layer, not '{counts.layer}'")
    df = counts.window(win, categories, by)
    if resolution == H3_RESOLUTION or df.empty:
        return df
    df = df.assign(area=to_resolution(df["area"].to_numpy(), resolution))
    return df.groupby(list(by), as_index=False, sort=True)["count"].sum()


def cell_centres(cells: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of each cell's centre."""
    pts = [h3.cell_to_latlng(c) for c in cells]
    lat = np.array([p[0] for p in pts], dtype=float)
    lon = np.array([p[1] for p in pts], dtype=float)
    return lon, lat


def cell_universe(
    counts: Counts, win: Window, resolution: int = H3_RESOLUTION, hull=None
) -> pd.Index:
    """The study area's cells: cells with any recorded crime or ASB in the window (every
    category, so the set does not shrink with the category chosen) that touch ``hull`` (the
    district), plus their immediate neighbours whose centre lies inside it.

    Gi* needs the empty cells next to busy ones; the whole bounding box would add thousands
    of empty fields and sea that say nothing about the district. A busy cell counts as touching
    the district when its centre is within one edge length of the hull (a hexagon's corners
    are one edge length from its centre), so cells astride the boundary are kept.
    """
    busy = cell_counts(counts, win, None, resolution, by=("area",))
    busy = np.array(sorted(busy.loc[busy["count"] > 0, "area"].astype(str)), dtype=object)
    if hull is not None and len(busy):
        lon, lat = cell_centres(busy)
        busy = busy[shapely.contains_xy(_widen(hull, resolution), lon, lat)]
    neighbours = set()
    for c in busy:
        neighbours.update(h3.grid_ring(c, 1))
    extra = np.array(sorted(neighbours - set(busy)), dtype=object)
    if hull is not None and len(extra):
        lon, lat = cell_centres(extra)
        extra = extra[shapely.contains_xy(hull, lon, lat)]
    cells = np.sort(np.concatenate([busy, extra]).astype(str)).astype(object)
    return pd.Index(cells, name="code", dtype=object)


def _widen(hull, resolution: int):
    """The hull grown by one cell edge length (degrees, generous in longitude)."""
    edge_m = h3.average_hexagon_edge_length(resolution, unit="m")
    lat = hull.centroid.y
    return hull.buffer(edge_m / (111_320 * max(math.cos(math.radians(lat)), 0.1)))


def cell_weights(cells: pd.Index, k: int = 1) -> Weights:
    """Binary H3 contiguity: cells within ``k`` rings of each other (k=1: the 6 cells sharing
    an edge), among ``cells`` only; ids = the cells."""
    if k not in RINGS:
        raise ValueError(f"ring distance must be one of {sorted(RINGS)}")
    inside = set(cells)
    neighbours = {c: [n for n in h3.grid_disk(c, k) if n != c and n in inside] for c in cells}
    w = BinaryWeights.from_neighbours(neighbours, list(cells))
    kind = (
        "H3 contiguity (cells sharing an edge)"
        if k == 1
        else f"H3 contiguity (cells within {k} rings, up to {RINGS[k]} neighbours)"
    )
    return Weights(w, describe_weights(w, kind, "cells"))


def cell_month_matrix(
    counts: Counts,
    win: Window,
    categories: Sequence[str] | None,
    cells: pd.Index,
    months: Sequence,
    resolution: int = H3_RESOLUTION,
) -> pd.DataFrame:
    """Cells x months counts (zeros filled) for the cells of the study area."""
    df = cell_counts(counts, win, categories, resolution, by=("month", "area"))
    return month_matrix(df, cells, months)
