"""Square grids for the Gi* tests: hand-made units with queen contiguity (test helpers)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from csp_dash.analysis.gistar import MAX_GRID_CELLS, Weights, describe_weights
from csp_dash.analysis.weights import BinaryWeights


def grid_cells(points_lonlat: pd.DataFrame, cell_size_m: float) -> gpd.GeoDataFrame:
    """Square grid over the points' projected extent, with a count per cell.

    ``points_lonlat`` has ``lon`` and ``lat`` (EPSG:4326) and optionally ``count`` (records
    at that point, e.g. from the cube); rows without coordinates are left out. Every cell
    of the rectangular extent is returned, empty ones with count 0, since Gi* needs the
    zeros. Columns: cell_id, row, col, count, geometry (EPSG:4326, squares in the local UTM
    zone recorded in ``attrs["crs_projected"]``).
    """
    if cell_size_m <= 0:
        raise ValueError("cell_size_m must be positive")
    pts = points_lonlat.dropna(subset=["lon", "lat"])
    if pts.empty:
        raise ValueError("no points with coordinates")
    weight = pts["count"].to_numpy(dtype=float) if "count" in pts else np.ones(len(pts))
    lonlat = gpd.GeoSeries(gpd.points_from_xy(pts["lon"], pts["lat"]), crs="EPSG:4326")
    utm = lonlat.estimate_utm_crs()
    xy = lonlat.to_crs(utm)
    x, y = xy.x.to_numpy(), xy.y.to_numpy()
    # Snap the origin to a multiple of the cell size so grids for other periods line up.
    x0 = math.floor(x.min() / cell_size_m) * cell_size_m
    y0 = math.floor(y.min() / cell_size_m) * cell_size_m
    n_cols = int((x.max() - x0) // cell_size_m) + 1
    n_rows = int((y.max() - y0) // cell_size_m) + 1
    if n_rows * n_cols > MAX_GRID_CELLS:
        raise ValueError(f"{n_rows * n_cols:,} cells: choose a larger cell size")
    col = ((x - x0) // cell_size_m).astype(int)
    row = ((y - y0) // cell_size_m).astype(int)
    counts = np.bincount(row * n_cols + col, weights=weight, minlength=n_rows * n_cols)
    rows, cols = np.divmod(np.arange(n_rows * n_cols), n_cols)
    squares = [
        box(
            x0 + c * cell_size_m,
            y0 + r * cell_size_m,
            x0 + (c + 1) * cell_size_m,
            y0 + (r + 1) * cell_size_m,
        )
        for r, c in zip(rows, cols, strict=True)
    ]
    if np.all(weight == np.round(weight)):
        counts = counts.astype(np.int64)
    grid = gpd.GeoDataFrame(
        {
            "cell_id": [f"r{r}c{c}" for r, c in zip(rows, cols, strict=True)],
            "row": rows,
            "col": cols,
            "count": counts,
        },
        geometry=squares,
        crs=utm,
    ).to_crs("EPSG:4326")
    grid.attrs.update(cell_size_m=float(cell_size_m), crs_projected=utm.to_string())
    return grid


def grid_weights(grid: gpd.GeoDataFrame) -> Weights:
    """Queen contiguity on a regular grid from its ``row``/``col`` (ids = ``grid.index``).

    Works on a clipped grid too: a missing cell is simply not a neighbour.
    """
    if grid.index.has_duplicates:
        raise ValueError("grid index must be unique")
    at = {(r, c): i for i, r, c in zip(grid.index, grid["row"], grid["col"], strict=True)}
    steps = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]
    neighbours = {
        i: [at[(r + dr, c + dc)] for dr, dc in steps if (r + dr, c + dc) in at]
        for (r, c), i in at.items()
    }
    w = BinaryWeights.from_neighbours(neighbours, list(grid.index))
    size = grid.attrs.get("cell_size_m")
    kind = f"Queen contiguity on a {size:,.0f} m grid" if size else "Queen contiguity on a grid"
    return Weights(w, describe_weights(w, kind, "cells"))

