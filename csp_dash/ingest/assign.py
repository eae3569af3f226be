"""Assign snapped map points to the areas of each polygon layer, once per distinct point."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from h3ronpy import cells_to_string
from h3ronpy.vector import coordinates_to_cells
from sqlalchemy import Connection, delete, select

from csp_dash.db.bulk import bulk_insert
from csp_dash.db.cube import H3_LAYER, H3_RESOLUTION, LSOA_LAYER
from csp_dash.db.locations import key_to_lonlat
from csp_dash.db.schema import areas, crimes, layers, location_areas


def point_layers(conn: Connection) -> list[str]:
    """Layers assigned from the snapped point: H3 cells, and every loaded layer but lsoa."""
    names = conn.execute(select(layers.c.layer).order_by(layers.c.layer)).scalars()
    return [H3_LAYER] + [n for n in names if n != LSOA_LAYER]


def h3_cells(keys: np.ndarray) -> pa.Array:
    """The H3 cell (resolution H3_RESOLUTION) of each location key, as h3's text ids.

    h3ronpy runs H3's C library over whole arrays: no Python loop per point.
    """
    lon, lat = key_to_lonlat(keys)
    return pa.array(cells_to_string(coordinates_to_cells(lat, lon, H3_RESOLUTION)))


def layer_frame(conn: Connection, layer: str) -> gpd.GeoDataFrame:
    rows = conn.execute(select(areas.c.code, areas.c.geometry).where(areas.c.layer == layer)
                        .order_by(areas.c.code)).all()
    geoms = [shapely.from_geojson(g) if g else None for _, g in rows]
    return gpd.GeoDataFrame({"code": [c for c, _ in rows]}, geometry=geoms, crs="EPSG:4326")


def assign_keys(keys: np.ndarray, polygons: gpd.GeoDataFrame) -> np.ndarray:
    """Area code for each location key ("" where it falls in no area; first code on overlaps)."""
    lon, lat = key_to_lonlat(keys)
    tree = shapely.STRtree(polygons.geometry.values)
    pts = shapely.points(lon, lat)
    # "intersects" so a point exactly on a boundary still gets an area (the first by code).
    pt_idx, poly_idx = tree.query(pts, predicate="intersects")
    out = np.full(len(keys), "", dtype=object)
    codes = polygons["code"].to_numpy(dtype=object)
    # Reverse so the first polygon (lowest code) wins where polygons overlap.
    out[pt_idx[::-1]] = codes[poly_idx[::-1]]
    return out


def assign_new_locations(conn: Connection, keys: np.ndarray, cache: dict | None = None) -> None:
    """Assign distinct keys not yet assigned, for every point layer.

    `cache` lives for one ingest call: each layer's polygons and the keys it already holds are
    read once, not once a chunk.
    """
    keys = distinct_keys(keys)
    if len(keys) == 0:
        return
    cache = cache if cache is not None else {}
    for layer in point_layers(conn):
        if ("known", layer) not in cache:
            known = conn.execute(select(location_areas.c.location_key)
                                 .where(location_areas.c.layer == layer)).scalars().all()
            cache[("known", layer)] = np.sort(np.asarray(known, dtype=np.int64))
            if layer != H3_LAYER:
                cache[("frame", layer)] = layer_frame(conn, layer)
        known = cache[("known", layer)]
        new = keys[~_sorted_contains(known, keys)]
        if len(new) == 0:
            continue
        codes = h3_cells(new) if layer == H3_LAYER else assign_keys(new, cache[("frame", layer)])
        _insert(conn, layer, new, codes)
        cache[("known", layer)] = np.sort(np.concatenate([known, new]))  # disjoint: no unique


def distinct_keys(keys) -> np.ndarray:
    """The distinct keys, sorted (nulls dropped): a sort, far faster than np.unique's hashing
    for int64 (numpy 2.4)."""
    if isinstance(keys, pa.ChunkedArray | pa.Array):
        keys = keys.drop_null().to_numpy()
    s = np.sort(np.asarray(keys, dtype=np.int64))
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


def _sorted_contains(known: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which keys the sorted array `known` holds (a binary search; np.isin hashes both)."""
    at = np.minimum(np.searchsorted(known, keys), max(len(known) - 1, 0))
    return known[at] == keys if len(known) else np.zeros(len(keys), dtype=bool)


def reassign_layer(conn: Connection, layer: str) -> None:
    """Recompute a layer's assignment for every point ever loaded (a layer was added or replaced)."""
    conn.execute(delete(location_areas).where(location_areas.c.layer == layer))
    if layer == LSOA_LAYER:
        return
    keys = pd.read_sql(select(crimes.c.location_key).where(crimes.c.location_key.is_not(None))
                       .distinct(), conn)["location_key"].to_numpy(dtype=np.int64)
    _insert(conn, layer, keys, assign_keys(keys, layer_frame(conn, layer)))


def _insert(conn: Connection, layer: str, keys: np.ndarray, codes: np.ndarray) -> None:
    table = pa.table({
        "layer": pa.array([layer] * len(keys), pa.string()),
        "location_key": pa.array(keys, pa.int64()),
        "area_code": codes if isinstance(codes, pa.Array) else pa.array(codes, pa.string()),
    })
    bulk_insert(conn, location_areas, table)


