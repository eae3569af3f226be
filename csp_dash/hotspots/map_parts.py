"""What the hotspot map draws besides its colours: the district's outline and the areas it
names. Shared by the map on the page and the map image, so both show the same."""

from __future__ import annotations

import json
import math

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine

from csp_dash.db import district
from csp_dash.db.cube import LSOA_LAYER
from csp_dash.hotspots.areas import DISTRICT_LAYER, area_frame, layers_with_geometry

#: Every area is named when the layer has at most this many (estates, wards); else the top
#: MAX_LABELS by the mapped figure, so the names stay legible.
ALL_NAMES = 25
MAX_LABELS = 10
# Snap LSOA edges to ~10 cm before dissolving: neighbours' shared edges then cancel exactly.
GRID = 1e-6
#: The order each metric names its areas in (column, highest first).
LABEL_ORDER = {
    "count": "count",
    "rate": "rate",
    "harm": "harm",
    "change": "z",
    "gi": "gi_z",
    "class": "count",
}


def district_outline(engine: Engine, lsoas: pd.Series | None = None) -> BaseGeometry | None:
    """The district's boundary: its LSOAs (declared, else the loaded LSOA layer) dissolved into
    one shape; else the loaded district layer; None when neither has polygons. ``lsoas``: the
    district's LSOA polygons when the caller has them."""
    with engine.connect() as conn:
        everything = district.in_effect(conn).status == district.EVERYTHING
    layers = layers_with_geometry(engine)
    if not everything and LSOA_LAYER in layers:
        if lsoas is None:
            lsoas = area_frame(engine, LSOA_LAYER, district_only=True).geometry
        if len(lsoas):
            return shapely.union_all(lsoas.values, grid_size=GRID)
    if DISTRICT_LAYER in layers:
        return shapely.union_all(area_frame(engine, DISTRICT_LAYER).geometry.values, grid_size=GRID)
    return None


def outline_geojson(shape: BaseGeometry | None, tolerance: float = 0.0) -> dict | None:
    """The outline as a GeoJSON geometry, simplified by ``tolerance`` degrees (None if none)."""
    if shape is None or shape.is_empty:
        return None
    simple = shapely.simplify(shape, tolerance, preserve_topology=True) if tolerance else shape
    return json.loads(shapely.to_geojson(shapely.set_precision(simple, 1e-5)))


def label_codes(table: pd.DataFrame, metric: str) -> list[str]:
    """The areas to name on the map: all of a small layer, else the top MAX_LABELS by the
    mapped figure (ties by name). Areas without a name are never labelled."""
    named = table[table["name"].notna() & (table["name"].astype(str) != "")]
    if len(named) <= ALL_NAMES:
        return list(named.index)
    col = LABEL_ORDER.get(metric, "count")
    if col not in named.columns or named[col].isna().all():
        col = "count"
    order = named.assign(_v=named[col].fillna(float("-inf"))).sort_values(
        ["_v", "name"], ascending=[False, True]
    )
    return list(order.index[:MAX_LABELS])


def label_points(codes: list[str], shapes: pd.Series, names: pd.Series) -> pd.DataFrame:
    """One row per label: code, name, lon, lat (a point inside the area, not its centroid,
    which can fall outside a crescent-shaped estate)."""
    rows = []
    for code in codes:
        shape = shapes.get(code)
        if shape is None or shape.is_empty:
            continue
        p = shapely.point_on_surface(shape)
        rows.append({"code": code, "name": str(names[code]), "lon": p.x, "lat": p.y})
    return pd.DataFrame(rows, columns=["code", "name", "lon", "lat"])


def thin_labels(
    labels: pd.DataFrame, bounds: tuple, width: int, height: int, font_px: float = 12
) -> pd.DataFrame:
    """Drop a label whose box would overlap one kept before it (labels come ranked, so the
    busier area keeps its name). Boxes are estimated on a map of ``bounds`` fitted into
    width x height pixels (0.6 em a character; longitude shrunk by cos(latitude))."""
    if labels.empty:
        return labels
    minx, miny, maxx, maxy = bounds
    kx = math.cos(math.radians((miny + maxy) / 2))
    s = min(width / max((maxx - minx) * kx, 1e-9), height / max(maxy - miny, 1e-9))
    kept: list[tuple[float, float, float, float]] = []
    keep = []
    for row in labels.itertuples():
        x, y = (row.lon - minx) * kx * s, (maxy - row.lat) * s
        half_w, half_h = len(row.name) * font_px * 0.3, font_px * 0.6
        box_ = (x - half_w, y - half_h, x + half_w, y + half_h)
        clash = any(
            box_[0] < b[2] and b[0] < box_[2] and box_[1] < b[3] and b[1] < box_[3] for b in kept
        )
        keep.append(not clash)
        if not clash:
            kept.append(box_)
    return labels[keep]
