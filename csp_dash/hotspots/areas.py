"""Area layers for hotspots: polygons, spatial weights between areas, and the district hull."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from csp_dash.analysis.gistar import Weights, distance_weights, queen_weights
from csp_dash.analysis.metres import centroids_m, crs_of
from csp_dash.analysis.weights import min_threshold_distance
from csp_dash.db import queries
from csp_dash.db.cube import LSOA_LAYER
from csp_dash.db.district import lsoa_codes as district_lsoa_codes

AreaWeights = Literal["auto", "queen", "distance"]
#: Queen contiguity is used unless more than this share of areas would have no neighbour.
MAX_ISLAND_SHARE = 0.1
DISTRICT_LAYER = "district"


def area_frame(engine: Engine, layer: str, district_only: bool = False) -> pd.DataFrame:
    """The layer's areas (index ``code``): name, population, households, and ``geometry``,
    shapely polygons in WGS84 longitude and latitude as stored. A plain DataFrame, not
    geopandas': the pages do not import geopandas (docs/architecture.md, "Performance").

    ``district_only``: of the LSOA layer, only the district's LSOAs. A force's or the country's
    LSOAs may be loaded beside them; reading and simplifying only the district's keeps a page's
    time and memory bounded by the district, not by what is loaded.
    """
    codes = None
    if district_only and layer == LSOA_LAYER:
        with engine.connect() as conn:
            codes = district_lsoa_codes(conn)
    df = queries.area_table(engine, layer, with_geometry=True, codes=codes)
    df = df[df["geometry"].notna()]
    geoms = shapely.from_geojson(df["geometry"].to_numpy(dtype=object))
    out = df[["code", "name", "population", "households"]].reset_index(drop=True)
    out["geometry"] = shapely.make_valid(np.asarray(geoms))
    return out.set_index("code").sort_index()


def layers_with_geometry(engine: Engine) -> list[str]:
    """Loaded layers that have polygons (so they can be mapped), estates first."""
    names = [n for n in queries.layer_names(engine) if n]
    order = {"estate": 0, "ward": 1, LSOA_LAYER: 2, DISTRICT_LAYER: 3}
    return sorted(names, key=lambda n: (order.get(n, 1.5), n))


def _round_up(x: float, step: float = 50.0) -> float:
    return max(step, math.ceil(x / step) * step)


def nearest_neighbour_threshold(gdf: pd.DataFrame) -> float:
    """Smallest centroid distance band (metres, rounded up to 50 m) giving every area at least
    one neighbour (ArcGIS's default distance band does the same)."""
    coords = centroids_m(gdf.geometry.to_numpy(), crs_of(gdf))
    return _round_up(float(min_threshold_distance(coords)) * 1.0001)


def area_weights(
    gdf: pd.DataFrame,
    kind: AreaWeights = "auto",
    threshold_m: float | None = None,
    unit_word: str = "areas",
) -> Weights:
    """Binary weights between the areas (ids = ``gdf.index``).

    "auto": queen contiguity, unless more than MAX_ISLAND_SHARE of areas touch no other area
    (estates drawn as separate patches, say), then a distance band just wide enough that every
    area has a neighbour.
    """
    if len(gdf) < 2:
        raise ValueError("Gi* needs at least two areas")
    if kind in ("auto", "queen"):
        queen = queen_weights(gdf, unit_word)
        if kind == "queen" or len(queen.w.islands) <= MAX_ISLAND_SHARE * len(gdf):
            return queen
    if kind not in ("auto", "distance"):
        raise ValueError("weights are 'auto', 'queen' or 'distance'")
    threshold = threshold_m if threshold_m else nearest_neighbour_threshold(gdf)
    return distance_weights(gdf, threshold, unit_word)


def study_hull(engine: Engine):
    """Convex hull of the district layer (else of the LSOA layer): the study area for cells.

    None when neither is loaded: cells are then not clipped.
    """
    for layer in (DISTRICT_LAYER, LSOA_LAYER):
        df = queries.area_table(engine, layer, with_geometry=True)
        geoms = df["geometry"].dropna()
        if len(geoms):
            shapes = shapely.make_valid(shapely.from_geojson(geoms.to_numpy(dtype=object)))
            return shapely.convex_hull(shapely.union_all(shapes))
    return None
