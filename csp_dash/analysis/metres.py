"""Polygons' centroids in metres, for distance bands between areas (docs/methods.md,
"Spatial weights"): the polygons are projected to the local UTM zone and their centroids taken
there, as geopandas' ``to_crs(estimate_utm_crs()).centroid`` does. pyproj is imported only
when a distance band is built: the pages read areas without geopandas, whose import (with
pyproj's) cost a served app about 15 MB (docs/architecture.md, "Performance")."""

from __future__ import annotations

import numpy as np
import shapely

#: Area polygons are stored and read in WGS84 longitude and latitude.
WGS84 = "EPSG:4326"


def utm_zone(lonlat_bounds: tuple[float, float, float, float]):
    """The UTM zone (a pyproj CRS, WGS 84 datum) of the bounds' centre."""
    from pyproj import CRS
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    minx, miny, maxx, maxy = lonlat_bounds
    x, y = (minx + maxx) / 2, (miny + maxy) / 2
    zones = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(x, y, x, y))
    if not zones:
        raise ValueError(f"no UTM zone covers longitude {x:.3f}, latitude {y:.3f}")
    return CRS.from_epsg(zones[0].code)


def bounds(geoms) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of the geometries; all NaN when there are none (shapely
    refuses an empty array; geopandas' total_bounds gave NaN)."""
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return (np.nan,) * 4
    return tuple(float(v) for v in shapely.total_bounds(geoms))


def crs_of(frame) -> object:
    """A frame's CRS: a GeoDataFrame's own (None if it has none), else WGS84, in which a plain
    frame's polygons are read (hotspots/areas.area_frame). Asked of the class, so a plain
    frame's column named "crs" is not taken for one."""
    return frame.crs if getattr(type(frame), "crs", None) is not None else WGS84


def centroids_m(geoms: np.ndarray, crs=WGS84) -> np.ndarray:
    """(n, 2) centroids in metres of the local UTM zone; ``geoms`` are shapely geometries in
    ``crs`` (any pyproj-readable CRS)."""
    from pyproj import CRS, Transformer

    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return np.empty((0, 2))
    source = CRS.from_user_input(crs)
    box = bounds(geoms)
    if not source.is_geographic:  # the zone is chosen from longitude and latitude
        to_lonlat = Transformer.from_crs(source, WGS84, always_xy=True)
        box = to_lonlat.transform_bounds(*box)
    to_utm = Transformer.from_crs(source, utm_zone(tuple(box)), always_xy=True)
    projected = shapely.transform(
        geoms, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))
    centroids = shapely.centroid(projected)
    # One row per geometry (NaN for an empty one), so rows stay aligned with the areas' ids.
    out = np.full((len(geoms), 2), np.nan)
    some = ~(shapely.is_missing(centroids) | shapely.is_empty(centroids))
    out[some] = shapely.get_coordinates(centroids[some])
    return out
