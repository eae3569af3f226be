"""Checks on boundary layers and population files: refuse what cannot be an area layer,
repair what can, and say what was repaired or looks wrong."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from csp_dash.ingest.errors import IngestError

POLYGONAL = {"Polygon", "MultiPolygon"}
# British National Grid's extent in metres, with a margin (EPSG:27700 bounds are 0..7e5, 0..1.3e6).
_BNG = (-1e5, -1e5, 8e5, 1.4e6)


def check_coordinates(gdf: gpd.GeoDataFrame, path: str) -> None:
    """A geographic CRS with coordinates in metres: GeoJSON assumes WGS84 when it names no CRS."""
    if not gdf.crs.is_geographic:
        return
    minx, miny, maxx, maxy = gdf.total_bounds
    if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
        return
    if _BNG[0] <= minx and _BNG[1] <= miny and maxx <= _BNG[2] and maxy <= _BNG[3]:
        raise IngestError(path, "British National Grid coordinates with no CRS: give --crs "
                          "EPSG:27700 (on the Data page: the CRS box)")
    raise IngestError(path, f"coordinates ({minx:,.0f}, {miny:,.0f}) to ({maxx:,.0f}, {maxy:,.0f}) "
                      "are not longitude/latitude and the file names no CRS: give it with --crs")


def _polygons_only(g):
    """make_valid can return a collection (a polygon plus a stray line): keep the polygonal part."""
    if g is None or g.geom_type in POLYGONAL:
        return g
    parts = [p for p in getattr(g, "geoms", []) if p.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def check_geometry(geom: gpd.GeoSeries, codes: pd.Series, path: str,
                   notes: list[str]) -> gpd.GeoSeries:
    """Polygons only; invalid ones are repaired (make_valid) and reported; empty ones refused."""
    def feature(i: int) -> str:
        return f"feature {i + 1} (code {codes.iloc[i]})"

    missing = geom.isna().to_numpy() | geom.is_empty.to_numpy()
    if missing.any():
        raise IngestError(path, f"{feature(int(np.argmax(missing)))} has no geometry")
    kinds = geom.geom_type.to_numpy()
    wrong = ~np.isin(kinds, list(POLYGONAL))
    if wrong.any():
        i = int(np.argmax(wrong))
        raise IngestError(path, f"{feature(i)} is a {kinds[i]}: a boundary layer must be polygons "
                          f"or multipolygons ({int(wrong.sum())} feature(s) are not); nothing "
                          "was loaded")
    invalid = ~geom.is_valid.to_numpy()
    if invalid.any():
        geom = geom.make_valid().apply(_polygons_only)
        notes.append(f"{path}: {int(invalid.sum())} feature(s) had invalid geometry and were "
                     f"repaired with make_valid, first {feature(int(np.argmax(invalid)))}")
    empty = geom.is_empty.to_numpy() | (shapely.area(geom.to_numpy()) <= 0)
    if empty.any():
        raise IngestError(path, f"{feature(int(np.argmax(empty)))} has no area (after repair); "
                          "nothing was loaded")
    return geom


def population_notes(path: str, frame: pd.DataFrame, codes: set[str], layer: str) -> list[str]:
    """Codes in the population file that the layer does not have, and layer areas left without."""
    notes = []
    extra = sorted(set(frame["code"]) - codes)
    if extra:
        notes.append(f"{path}: {len(extra)} code(s) are not in layer '{layer}' and were ignored "
                     f"({', '.join(extra[:5])}{', ...' if len(extra) > 5 else ''})")
    missing = sorted(codes - set(frame["code"]))
    if missing:
        notes.append(f"{path}: {len(missing)} area(s) of layer '{layer}' have no population "
                     f"({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''})")
    return notes
