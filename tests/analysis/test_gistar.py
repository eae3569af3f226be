"""Gi* hotspots: checked against esda called directly (z exactly, permutation p within Monte
Carlo error), the textbook formula, a plain loop over the same draws, statsmodels and
hand-worked examples."""

import math
import warnings

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import Queen, W, lat2W
from scipy import stats
from shapely.geometry import box
from statsmodels.stats.multitest import multipletests

from csp_dash.analysis import gistar
from csp_dash.analysis.gistar import (
    NOT_SIGNIFICANT,
    SIGNIFICANCE_LABELS,
    _draws,
    _significance,
    binary_matrix,
    distance_weights,
    fdr_bh,
    gi_star,
    gi_star_z,
    permutation_p,
    queen_weights,
)
from tests.gistar_grid import grid_cells, grid_weights
from tests.gistar_reference import (
    ESSEX_LSOAS,
    esda_gi_star,
    esda_two_sided_p,
    essex_violence,
    monte_carlo_tolerance,
)


def _esda_direct(y, w, permutations=999, seed=12345):
    return esda.G_Local(
        y, w, transform="B", permutations=permutations, star=True, seed=seed, n_jobs=1
    )


# ---------------------------------------------------------------- gi_star vs esda


def test_gi_star_matches_esda_called_directly():
    # Continuous values on a 6 x 6 queen lattice: z exactly; p within Monte Carlo error of
    # esda's own simulations read with our two-sided tie rule (different random draws).
    w = lat2W(6, 6, rook=False)
    y = np.random.default_rng(3).gamma(2.0, 3.0, 36)
    y[[0, 1, 6, 7]] += 25  # a planted hot corner
    ref = _esda_direct(y, w)
    got = gi_star(y, w)
    np.testing.assert_allclose(got["gi_z"], ref.Zs, rtol=1e-12)
    expected = esda_two_sided_p(ref, 999)
    assert (np.abs(got["p"] - expected) <= monte_carlo_tolerance(expected, 999)).all()
    assert not np.allclose(got["p"], expected)  # really our own draws, not esda's
    assert (got["p"] > ref.p_sim).all()  # doubled: could fail if we forgot
    # The planted corner is hot and significant after FDR.
    assert got.loc[0, "significance"].startswith("hot")
    assert got.loc[0, "p"] == pytest.approx(2 / 1000)


def test_permutation_p_converges_to_esdas_with_many_draws():
    # With 49,999 draws each, Monte Carlo error is about 0.003: a wrong null (say a unit's
    # own value left among the candidates, or draws with replacement) would show.
    w = lat2W(5, 5, rook=False)
    y = np.random.default_rng(21).poisson(3.0, 25).astype(float)
    y[[0, 1, 5]] += 6
    ref = esda_two_sided_p(esda_gi_star(y, w, 49_999, seed=5), 49_999)
    got = gi_star(y, w, permutations=49_999, seed=5)["p"].to_numpy()
    assert (np.abs(got - ref) <= monte_carlo_tolerance(ref, 49_999)).all()
    assert np.abs(got - ref).max() < 0.02


def _plain_loop_p(y, w, draws):
    """One unit at a time: its k neighbours replaced by the first k drawn from the others."""
    adj = binary_matrix(w)
    g, _ = gi_star_z(y, adj)
    k = np.diff(adj.indptr)
    p = np.full(y.size, np.nan)
    for i in range(y.size):
        if k[i] == 0:
            continue
        others = np.delete(y, i)
        sims = (y[i] + others[draws[:, : k[i]]].sum(axis=1)) / y.sum()
        upper = (sims >= g[i] - 1e-10).sum()
        lower = (sims <= g[i] + 1e-10).sum()
        p[i] = min(1.0, 2 * (min(upper, lower) + 1) / (draws.shape[0] + 1))
    return p, g


def test_vectorised_permutations_equal_a_plain_loop_over_the_same_draws(monkeypatch):
    # Units with different neighbour counts (an irregular graph with an island) and counts
    # with many ties; a tiny chunk size forces many chunks.
    rng = np.random.default_rng(4)
    w = W({0: [1, 2, 3], 1: [0], 2: [0, 4], 3: [0], 4: [2, 5, 6, 7], 5: [4], 6: [4], 7: [4],
           8: [], 9: [10], 10: [9]}, silence_warnings=True)
    y = rng.poisson(1.5, 11).astype(float)
    draws = _draws(10, 4, 301, np.random.default_rng(0))
    expected, g = _plain_loop_p(y, w, draws)
    adj = binary_matrix(w)
    np.testing.assert_array_equal(permutation_p(y, adj, g, draws), expected)
    monkeypatch.setattr(gistar, "_CHUNK_VALUES", 7)
    np.testing.assert_array_equal(permutation_p(y, adj, g, draws), expected)
    assert np.isnan(expected[8]) and np.isfinite(np.delete(expected, 8)).all()


def test_draws_are_distinct_and_every_prefix_is_uniform(monkeypatch):
    draws = _draws(9, 4, 20_000, np.random.default_rng(1))
    assert draws.min() >= 0 and draws.max() <= 8
    assert all(len(set(row)) == 4 for row in draws[:2000])
    # Each of the 9 positions should be in a prefix of length k with probability k / 9.
    for k in (1, 2, 4):
        share = np.bincount(draws[:, :k].ravel(), minlength=9) / 20_000
        np.testing.assert_allclose(share, k / 9, atol=4 * math.sqrt(k / 9 / 20_000) + 0.002)
    # Drawing in small chunks gives the very same table (one stream of random numbers).
    monkeypatch.setattr(gistar, "_CHUNK_VALUES", 50)
    again = _draws(9, 4, 20_000, np.random.default_rng(1))
    np.testing.assert_array_equal(draws, again)


def test_gi_z_matches_textbook_formula():
    # Getis & Ord (1995) Gi* z for binary weights with self included:
    #   z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n W_i - W_i^2) / (n - 1)))
    #   S = sqrt(sum x^2 / n - xbar^2), W_i = neighbours + 1.
    w = lat2W(4, 5, rook=False)
    x = np.array([3, 0, 1, 7, 2, 5, 9, 4, 0, 1, 2, 2, 8, 6, 1, 0, 0, 3, 4, 1], dtype=float)
    n = x.size
    xbar, s = x.mean(), math.sqrt((x**2).mean() - x.mean() ** 2)
    expected = []
    for i in range(n):
        members = [i, *w.neighbors[i]]
        wi = len(members)
        num = x[members].sum() - xbar * wi
        expected.append(num / (s * math.sqrt((n * wi - wi**2) / (n - 1))))
    got = gi_star(x, w, permutations=99)
    np.testing.assert_allclose(got["gi_z"], expected, rtol=1e-10)


def test_same_seed_same_result_and_global_rng_untouched():
    w = lat2W(5, 5, rook=False)
    y = np.random.default_rng(8).poisson(3, 25)
    np.random.seed(7)
    before = np.random.random()
    np.random.seed(7)
    a = gi_star(y, w, seed=42)
    after = np.random.random()
    b = gi_star(y, w, seed=42)
    assert before == after  # our draws never touch numpy's global generator
    pd.testing.assert_frame_equal(a, b)


def test_no_warnings_at_all_from_normal_use():
    # pytest turns warnings into errors but ignores DeprecationWarning; record everything
    # (an island makes 0/0-free but uneven work for the permutation code).
    w = W({0: [1], 1: [0, 2], 2: [1], 3: []}, silence_warnings=True)  # 3 is an island
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gi_star(np.array([5.0, 1.0, 0.0, 2.0]), w, permutations=99)
    assert [str(c.message) for c in caught] == []


# ---------------------------------------------------------------- ties, islands, edge cases


def test_ties_in_sparse_counts_do_not_make_spurious_cold_spots():
    # 6 x 6 grid, counts only in the top-left corner. Cell 35 (bottom-right) and its three
    # neighbours are 0, so G*_35 = 0; most random neighbourhoods are also all-zero, i.e. a
    # tie. Counting ties on both sides: #(sim <= 0) = #(sim >= 0) = 999, so
    # p = 2 * (999 + 1) / 1000 capped at 1 = 1. esda's folded p_sim calls it 0.001.
    w = lat2W(6, 6, rook=False)
    y = np.zeros(36)
    y[[0, 1, 6, 7]] = [10, 8, 9, 7]
    ref = _esda_direct(y, w)
    got = gi_star(y, w)
    assert ref.p_sim[35] == pytest.approx(0.001)  # the esda behaviour we correct
    assert got.loc[35, "p"] == 1.0
    assert got.loc[35, "significance"] == NOT_SIGNIFICANT
    # esda's own simulations, ties counted on both sides, agree within Monte Carlo error.
    expected = esda_two_sided_p(ref, 999)
    assert expected[35] == 1.0
    assert (np.abs(got["p"] - expected) <= monte_carlo_tolerance(expected, 999)).all()
    assert (got["significance"].str.startswith("cold")).sum() == 0


def test_island_is_not_tested_and_left_out_of_fdr():
    # Four squares in a 2 x 2 block plus one far away (an island).
    squares = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)]
    gdf = gpd.GeoDataFrame(
        {"count": [9, 7, 8, 0, 50]},
        geometry=[*squares, box(10, 10, 11, 11)],
        index=["a", "b", "c", "d", "island"],
        crs="EPSG:27700",
    )
    weights = queen_weights(gdf, "estates")
    assert weights.w.islands == ["island"]
    # Each of the 4 squares touches the other 3 (queen): mean (4 * 3 + 0) / 5 = 2.4.
    assert weights.description == (
        "Queen contiguity, 5 estates, mean 2.4 neighbours, binary weights, self included "
        "(Gi*); 1 with no neighbours (not tested)"
    )
    got = gi_star(gdf["count"], weights.w, permutations=99)
    assert math.isnan(got.loc["island", "p"]) and math.isnan(got.loc["island", "p_fdr"])
    assert got.loc["island", "significance"] == NOT_SIGNIFICANT
    assert got.loc["island", "neighbours"] == 0
    tested = got["p"].dropna()
    np.testing.assert_allclose(
        got.loc[tested.index, "p_fdr"], multipletests(tested, method="fdr_bh")[1]
    )


def test_constant_counts_are_not_tested():
    w = lat2W(3, 3, rook=False)
    for y in (np.zeros(9), np.full(9, 4.0)):
        got = gi_star(y, w, permutations=99)
        assert got["p"].isna().all()
        assert (got["significance"] == NOT_SIGNIFICANT).all()


def test_series_is_aligned_by_id_not_position():
    w = lat2W(4, 4, rook=False)
    y = pd.Series(np.random.default_rng(5).poisson(4, 16).astype(float), index=range(16))
    shuffled = y.sample(frac=1, random_state=1)
    a = gi_star(y, w, permutations=99)
    b = gi_star(shuffled, w, permutations=99)
    assert list(b.index) == list(shuffled.index)
    pd.testing.assert_frame_equal(a, b.sort_index())
    with pytest.raises(ValueError, match="index"):
        gi_star(pd.Series(y.to_numpy(), index=range(100, 116)), w)
    with pytest.raises(ValueError, match="non-negative"):
        gi_star(-y, w)


def test_normal_p_method_is_two_sided_normal_theory():
    # sfhotspot's gistar: p = 2 * pnorm(-|z|).
    w = lat2W(5, 5, rook=False)
    y = np.random.default_rng(9).poisson(2, 25).astype(float)
    got = gi_star(y, w, p_method="normal")
    ref = esda.G_Local(y, w, transform="B", permutations=0, star=True)
    np.testing.assert_allclose(got["p"], 2 * stats.norm.sf(np.abs(ref.Zs)), rtol=1e-12)
    assert got.attrs["p_method"] == "normal"


def test_significance_bands_follow_fdr_thresholds_and_sign():
    z = np.array([2.0, 2.0, 2.0, 2.0, 2.0, -3.0, -3.0, 0.0, np.nan])
    q = np.array([0.005, 0.01, 0.03, 0.07, 0.2, 0.01, 0.1, 0.001, 0.001])
    assert _significance(z, q) == [
        "hot 99%",
        "hot 99%",  # p_fdr <= 0.01 is inside the band
        "hot 95%",
        "hot 90%",
        NOT_SIGNIFICANT,
        "cold 99%",
        "cold 90%",
        NOT_SIGNIFICANT,  # z = 0: neither hot nor cold
        NOT_SIGNIFICANT,  # no z
    ]
    assert SIGNIFICANCE_LABELS[0] == "hot 99%" and SIGNIFICANCE_LABELS[-1] == "cold 99%"


# ---------------------------------------------------------------- FDR


def test_fdr_bh_hand_example():
    # p = [0.021, 0.5, 0.01, 0.02], m = 4. Sorted with ranks:
    #   0.01 (r1) -> 0.01 * 4/1 = 0.040
    #   0.02 (r2) -> 0.02 * 4/2 = 0.040
    #   0.021(r3) -> 0.021* 4/3 = 0.028
    #   0.5  (r4) -> 0.5  * 4/4 = 0.500
    # Step-up running minimum from the largest rank: r4 0.5, r3 0.028, r2 min(0.04, 0.028)
    # = 0.028, r1 0.028. Back in input order: [0.028, 0.5, 0.028, 0.028].
    np.testing.assert_allclose(fdr_bh([0.021, 0.5, 0.01, 0.02]), [0.028, 0.5, 0.028, 0.028])
    # NaN is not a test: the family is the 2 real p-values. 0.04 * 2/2 = 0.04;
    # 0.03 * 2/1 = 0.06 -> min(0.06, 0.04) = 0.04.
    np.testing.assert_allclose(fdr_bh([0.03, np.nan, 0.04]), [0.04, np.nan, 0.04])
    assert fdr_bh([]).size == 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fdr_bh_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(0, 0.02, 20), rng.uniform(0, 1, 200)])
    p[:10] = np.round(p[:10], 2)  # some ties
    rng.shuffle(p)
    np.testing.assert_allclose(fdr_bh(p), multipletests(p, method="fdr_bh")[1], rtol=1e-12)


# ---------------------------------------------------------------- grids and weights


def _lonlat(x, y, crs="EPSG:32630"):
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=crs).to_crs("EPSG:4326")
    return pd.DataFrame({"lon": pts.x, "lat": pts.y})


def test_grid_cells_counts_sum_and_include_empty_cells():
    # UTM 30N near its central meridian (3 degrees W, so estimate_utm_crs picks 32630).
    # 100 m cells from origin (500000, 5700000): three points in cell (row 0, col 0) and one
    # in (row 1, col 2). Extent is 2 rows x 3 cols = 6 cells, 4 of them empty.
    x = 500_000 + np.array([50.0, 40.0, 60.0, 250.0])
    y = 5_700_000 + np.array([50.0, 45.0, 55.0, 150.0])
    grid = grid_cells(_lonlat(x, y), 100)
    assert len(grid) == 6
    assert grid["count"].sum() == 4
    assert (grid["count"] == 0).sum() == 4
    by_cell = grid.set_index("cell_id")["count"]
    assert by_cell["r0c0"] == 3 and by_cell["r1c2"] == 1
    assert grid.crs.to_epsg() == 4326 and grid.attrs["crs_projected"] == "EPSG:32630"
    areas = grid.to_crs(32630).area
    np.testing.assert_allclose(areas, 100 * 100, rtol=1e-6)


def test_grid_cells_uses_count_column_and_drops_missing_coordinates():
    x = 500_000 + np.array([50.0, 350.0, 150.0])
    y = 5_700_000 + np.array([50.0, 50.0, 250.0])
    pts = _lonlat(x, y)
    pts["count"] = [5, 2, 4]
    pts.loc[3] = [np.nan, np.nan, 99]  # a record with no location
    grid = grid_cells(pts, 100)
    assert grid["count"].sum() == 11
    assert len(grid) == 3 * 4


def test_grid_weights_match_libpysal_lattice():
    # 3 x 3 grid: corners 3 neighbours, edges 5, centre 8; mean 40 / 9 = 4.4.
    x = 500_000 + np.array([50.0, 250.0])
    y = 5_700_000 + np.array([50.0, 250.0])
    grid = grid_cells(_lonlat(x, y), 100)
    weights = grid_weights(grid)
    ref = lat2W(3, 3, rook=False)  # ids in row-major order, same as grid_cells
    assert {k: sorted(v) for k, v in weights.w.neighbors.items()} == {
        k: sorted(v) for k, v in ref.neighbors.items()
    }
    assert weights.description == (
        "Queen contiguity on a 100 m grid, 9 cells, mean 4.4 neighbours, binary weights, "
        "self included (Gi*)"
    )


def test_grid_weights_on_clipped_grid():
    x = 500_000 + np.array([50.0, 250.0])
    y = 5_700_000 + np.array([50.0, 250.0])
    grid = grid_cells(_lonlat(x, y), 100)
    clipped = grid[grid["cell_id"] != "r1c1"]  # drop the centre
    w = grid_weights(clipped).w
    # Corner r0c0 (id 0) loses the centre: neighbours r0c1 (1) and r1c0 (3) only.
    assert sorted(w.neighbors[0]) == [1, 3]
    assert 4 not in w.neighbors


def test_distance_weights_in_metres():
    # Four 10 m squares 100 m apart along a line; threshold 150 m: ends 1, middle 2.
    xs = 500_000 + np.arange(4) * 100.0
    squares = [box(x, 5_700_000, x + 10, 5_700_010) for x in xs]
    gdf = gpd.GeoDataFrame(geometry=squares, index=list("pqrs"), crs="EPSG:32630").to_crs(4326)
    weights = distance_weights(gdf, 150)
    assert {k: sorted(v) for k, v in weights.w.neighbors.items()} == {
        "p": ["q"],
        "q": ["p", "r"],
        "r": ["q", "s"],
        "s": ["r"],
    }
    assert weights.description.startswith("Distance band 150 m between centroids, 4 areas")


def test_grid_gi_star_end_to_end_finds_planted_cluster():
    rng = np.random.default_rng(11)
    bx, by = 500_000 + rng.uniform(0, 2000, 300), 5_700_000 + rng.uniform(0, 2000, 300)
    cx, cy = 500_000 + rng.normal(500, 60, 300), 5_700_000 + rng.normal(1500, 60, 300)
    grid = grid_cells(_lonlat(np.r_[bx, cx], np.r_[by, cy]), 200)
    result = gi_star(grid.set_index("cell_id")["count"], grid_weights(grid.set_index("cell_id")).w)
    assert result.loc["r7c2", "significance"].startswith("hot")  # cell holding (500, 1500)
    assert result.loc["r1c8", "significance"] == NOT_SIGNIFICANT


@pytest.mark.slow
def test_real_essex_lsoas_gi_star_agrees_with_esda():
    if not ESSEX_LSOAS.exists():
        pytest.skip(f"Essex LSOA boundaries not present at {ESSEX_LSOAS} (shared real data)")
    lsoas, counts = essex_violence()
    weights = queen_weights(lsoas, "LSOAs")
    assert weights.description.startswith("Queen contiguity, 1,077 LSOAs")
    ref_w = Queen.from_dataframe(lsoas, use_index=True, silence_warnings=True)
    y = counts.reindex(ref_w.id_order).to_numpy(float)
    g = esda_gi_star(y, ref_w, 999)
    got = gi_star(counts, weights.w).loc[ref_w.id_order]
    assert got["p"].notna().all()
    np.testing.assert_allclose(got["gi_z"], g.Zs, rtol=1e-9, atol=1e-12)
    normal = gi_star(counts, weights.w, p_method="normal").loc[ref_w.id_order]
    ref_normal = np.minimum(1, 2 * stats.norm.sf(np.abs(g.Zs)))
    np.testing.assert_allclose(normal["p"], ref_normal, rtol=1e-9, atol=1e-15)
    # Identical z, so the normal-theory significant sets are identical too.
    for alpha in (0.01, 0.05, 0.10):
        ours = normal["p_fdr"] <= alpha
        assert ours.to_numpy().tolist() == (fdr_bh(ref_normal) <= alpha).tolist()
        assert ours.sum() > 0
    # Permutation p: every LSOA within Monte Carlo error of esda's simulations, and the
    # clear cases agree (esda p <= 0.01 -> ours <= 0.05; esda p > 0.2 -> ours > 0.05).
    ref_p = esda_two_sided_p(g, 999)
    p = got["p"].to_numpy()
    assert (np.abs(p - ref_p) <= monte_carlo_tolerance(ref_p, 999)).all()
    assert (ref_p <= 0.01).sum() >= 20 and (p[ref_p <= 0.01] <= 0.05).all()
    assert (ref_p > 0.2).sum() >= 500 and (p[ref_p > 0.2] > 0.05).all()
