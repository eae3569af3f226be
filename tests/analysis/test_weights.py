"""Our spatial weights against libpysal (the independent reference, a test-only dependency):
the same neighbour sets on the demo boundaries, an H3 grid and Essex's real LSOAs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pytest
import shapely
from libpysal.weights import DistanceBand, Queen
from libpysal.weights.util import min_threshold_distance as libpysal_min_threshold
from shapely.geometry import box

from csp_dash.analysis.weights import (
    BinaryWeights,
    distance_band,
    min_threshold_distance,
    queen_contiguity,
)
from csp_dash.demo.geo import build_geography

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "essex"


def _sets(w) -> dict:
    return {k: sorted(v) for k, v in w.neighbors.items()}


def _queen_pair(gdf: gpd.GeoDataFrame):
    ours = queen_contiguity(gdf.geometry.to_numpy(), list(gdf.index))
    ref = Queen.from_dataframe(gdf, use_index=True, silence_warnings=True)
    return ours, ref


def _centroids_m(gdf: gpd.GeoDataFrame) -> np.ndarray:
    c = gdf.geometry.to_crs(gdf.estimate_utm_crs()).centroid
    return np.column_stack([c.x.to_numpy(), c.y.to_numpy()])


@pytest.mark.parametrize("layer", ["lsoas", "wards", "estates"])
def test_queen_equals_libpysal_on_the_demo_boundaries(layer):
    gdf = getattr(build_geography(7), layer).set_index("code")
    ours, ref = _queen_pair(gdf)
    assert _sets(ours) == _sets(ref)
    assert ours.islands == list(ref.islands)
    assert ours.mean_neighbors == pytest.approx(ref.mean_neighbors)
    assert ours.id_order == list(gdf.index)


def test_queen_on_an_h3_grid_equals_libpysal_and_the_h3_rings():
    cells = sorted(h3.grid_disk(h3.latlng_to_cell(51.889, 0.901, 9), 6))  # 127 hexagons
    polygons = [
        shapely.Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(c)]) for c in cells
    ]
    gdf = gpd.GeoDataFrame(geometry=polygons, index=cells, crs="EPSG:4326")
    ours, ref = _queen_pair(gdf)
    assert _sets(ours) == _sets(ref)
    rings = {c: sorted(set(h3.grid_ring(c, 1)) & set(cells)) for c in cells}
    assert _sets(ours) == rings
    assert ours.counts.max() == 6 and ours.counts.min() == 3  # inner cells and corners


def test_queen_counts_a_shared_corner_and_reports_islands():
    # a-b share an edge, b-c only a corner; d stands apart.
    shapes = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 1, 3, 2), box(10, 10, 11, 11)]
    w = queen_contiguity(shapes, list("abcd"))
    assert _sets(w) == {"a": ["b"], "b": ["a", "c"], "c": ["b"], "d": []}
    assert w.islands == ["d"] and w.mean_neighbors == pytest.approx(1.0)
    np.testing.assert_array_equal(w.sparse.toarray(), w.sparse.toarray().T)
    assert (w.sparse.diagonal() == 0).all() and set(w.sparse.data) == {1.0}


def test_distance_band_and_threshold_equal_libpysal_on_demo_lsoas():
    gdf = build_geography(7).lsoas.set_index("code")
    xy = _centroids_m(gdf)
    threshold = min_threshold_distance(xy)
    assert threshold == pytest.approx(libpysal_min_threshold(xy), rel=1e-12)
    for band in (threshold, 1.5 * threshold, 3 * threshold):
        ours = distance_band(xy, band, list(gdf.index))
        ref = DistanceBand(xy, band, binary=True, ids=list(gdf.index), silence_warnings=True)
        assert _sets(ours) == _sets(ref)
    # Just over the threshold every area has a neighbour (at it exactly, rounding can drop
    # the farthest pair, in libpysal too: areas.py widens it by 0.01%).
    assert distance_band(xy, threshold * 1.0001, list(gdf.index)).islands == []


def test_distance_band_includes_the_threshold_and_coincident_points():
    # Hand example: 0-1 exactly 100 apart, 1-2 at 100.5; 3 sits on top of 0. libpysal
    # drops zero distances, so 0 and 3 would not be neighbours there; here they are.
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [200.5, 0.0], [0.0, 0.0]])
    w = distance_band(xy, 100.0, list("pqrs"))
    assert _sets(w) == {"p": ["q", "s"], "q": ["p", "s"], "r": [], "s": ["p", "q"]}
    assert min_threshold_distance(xy) == pytest.approx(100.5)


def test_from_neighbours_symmetrises_and_keeps_the_id_order():
    w = BinaryWeights.from_neighbours({"x": ["y"], "z": ["y", "y"]}, ["z", "y", "x", "q"])
    assert w.id_order == ["z", "y", "x", "q"]
    assert _sets(w) == {"z": ["y"], "y": ["x", "z"], "x": ["y"], "q": []}
    with pytest.raises(ValueError, match="unique"):
        BinaryWeights.from_neighbours({}, ["a", "a"])


@pytest.mark.slow
def test_queen_and_distance_band_equal_libpysal_on_essex_lsoas():
    path = REALDATA / "essex_lsoa2011_boundaries.geojson"
    if not path.exists():
        pytest.skip(f"Essex LSOA boundaries not present at {path} (shared real data)")
    lsoas = gpd.read_file(path).set_index("LSOA11CD")
    ours, ref = _queen_pair(lsoas)
    assert ours.n == 1077
    assert _sets(ours) == _sets(ref)
    xy = _centroids_m(lsoas)
    threshold = min_threshold_distance(xy)
    assert threshold == pytest.approx(libpysal_min_threshold(xy), rel=1e-12)
    for band in (1000.0, threshold):
        ours = distance_band(xy, band, list(lsoas.index))
        ref = DistanceBand(xy, band, binary=True, ids=list(lsoas.index), silence_warnings=True)
        assert _sets(ours) == _sets(ref)


def test_adjacency_lag_equals_a_dense_product_with_islands_and_repeats():
    # Each unit's neighbour sum, against a plain loop over a dense 0/1 matrix; units 0, 5 and
    # the last have no neighbour (np.add.reduceat would hand an empty row its next value).
    from csp_dash.analysis.weights import Adjacency

    rng = np.random.default_rng(4)
    n = 12
    rows = rng.integers(1, 5, 40)
    cols = rng.integers(6, n - 1, 40)
    rows = np.concatenate([rows, rows[:5]])  # repeated pairs count once
    cols = np.concatenate([cols, cols[:5]])
    adj = Adjacency.from_pairs(rows, cols, n)
    dense = np.zeros((n, n))
    for r, c in zip(rows, cols, strict=True):
        dense[r, c] = 1.0
    y = rng.poisson(3, (n, 4)).astype(float)
    expected = np.array([[sum(dense[i, j] * y[j, k] for j in range(n)) for k in range(4)]
                         for i in range(n)])
    np.testing.assert_array_equal(adj.lag(y), expected)
    np.testing.assert_array_equal(adj.lag(y[:, 0]), expected[:, 0])
    np.testing.assert_array_equal(adj.counts, dense.sum(axis=1))
    assert adj.counts[[0, 5, n - 1]].tolist() == [0, 0, 0]
