"""Centroids in metres (analysis/metres.py) against geopandas' own projection, the reference:
``to_crs(estimate_utm_crs()).centroid``. The pages use ours so they need not import geopandas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from csp_dash.analysis.gistar import distance_weights
from csp_dash.analysis.metres import WGS84, bounds, centroids_m, crs_of, utm_zone
from csp_dash.demo.geo import build_geography
from tests.conftest import ESSEX


def _reference(gdf: gpd.GeoDataFrame) -> np.ndarray:
    c = gdf.geometry.to_crs(gdf.estimate_utm_crs()).centroid
    return np.column_stack([c.x.to_numpy(), c.y.to_numpy()])


@pytest.mark.parametrize("layer", ["lsoas", "wards", "estates"])
def test_centroids_equal_geopandas_on_the_demo_boundaries(layer):
    gdf = getattr(build_geography(7), layer)
    assert gdf.crs is not None
    np.testing.assert_allclose(centroids_m(gdf.geometry.values, gdf.crs), _reference(gdf),
                               rtol=0, atol=1e-6)
    assert utm_zone(tuple(gdf.to_crs(WGS84).total_bounds)) == gdf.estimate_utm_crs()


@pytest.mark.slow
def test_centroids_equal_geopandas_on_essex_from_either_grid():
    path = ESSEX / "essex_lsoa2011_boundaries.geojson"
    if not path.exists():
        pytest.skip(f"real data not present: {path}")
    gdf = gpd.read_file(path)
    for frame in (gdf, gdf.to_crs(27700)):  # longitude/latitude, and British National Grid
        np.testing.assert_allclose(centroids_m(frame.geometry.values, frame.crs),
                                   _reference(frame), rtol=0, atol=1e-6)
    assert utm_zone(tuple(gdf.total_bounds)).to_epsg() == 32631  # Essex's centre is east of 0


def test_a_plain_frame_is_read_as_wgs84_and_a_geodataframe_keeps_its_own():
    squares = [box(0.90, 51.88, 0.901, 51.881), box(0.91, 51.88, 0.911, 51.881)]
    plain = pd.DataFrame({"geometry": squares}, index=["a", "b"])
    geo = gpd.GeoDataFrame(geometry=squares, index=["a", "b"], crs="EPSG:4326")
    assert crs_of(plain) == WGS84 and crs_of(geo) == geo.crs
    assert crs_of(gpd.GeoDataFrame(geometry=squares)) is None
    # The same distance band from either: ~690 m apart at 51.9 degrees north.
    for frame in (plain, geo):
        assert distance_weights(frame, 700).w.neighbors == {"a": ["b"], "b": ["a"]}
        assert distance_weights(frame, 650).w.neighbors == {"a": [], "b": []}
    with pytest.raises(ValueError, match="no CRS"):
        distance_weights(gpd.GeoDataFrame(geometry=squares, index=["a", "b"]), 700)


def test_no_polygons_and_an_empty_polygon_keep_the_rows_aligned():
    assert centroids_m([]).shape == (0, 2)
    assert np.isnan(bounds([])).all()
    square = box(0.90, 51.88, 0.901, 51.881)
    got = centroids_m([square, shapely.Polygon(), square])
    assert got.shape == (3, 2)  # one row per area, so ids and rows stay matched
    assert np.isnan(got[1]).all() and np.allclose(got[0], got[2])


def test_a_plain_frame_with_a_column_named_crs_is_still_wgs84():
    frame = pd.DataFrame({"geometry": [box(0, 51, 0.1, 51.1)], "crs": ["EPSG:27700"]})
    assert crs_of(frame) == WGS84
