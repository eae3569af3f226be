"""Getis-Ord Gi* hotspot statistic with permutation p-values and FDR correction.

Method (docs/methods.md, "Gi* and FDR"): Gi* over binary queen or distance-band weights with
the focal unit included (self-weight 1), computed here in numpy; tests check
it against esda's ``G_Local(y, w, transform="B", star=True)``.

Choices, stated so the page can say them:

- **Conditional permutations.** For unit i with k neighbours, each of the ``permutations``
  draws puts k of the other n - 1 values round it at random (without replacement) and
  recomputes G*_i, as esda does. One table of draws (permutations x largest k) serves every
  unit, again as in esda; unit i reads it over the values with its own left out. The draws
  come from ``numpy.random.default_rng(seed)``, so a seed repeats a run exactly (it does not
  reproduce esda's draws, which come from numba's generator).
- **Two-sided test.** esda's ``p_sim`` is one-sided in the direction of the observed value
  (it "folds" to the nearer tail). Analysts look for hot *and* cold spots, so we double it
  (capped at 1): a two-sided test at level alpha, as in ArcGIS Hot Spot Analysis.
- **Ties.** Crime counts have many zeros, so simulated Gi* values often equal the observed
  one. esda 2.9 counts such ties as "larger" and then folds, which gives an empty cell in an
  empty neighbourhood p = 0.001 (a spurious cold spot). We count ties on both sides:
  p = 2 * min(#(sim >= obs) + 1, #(sim <= obs) + 1) / (permutations + 1). Where there are no
  ties this is exactly double esda's folded ``p_sim`` over the same draws.
- **Islands** (no neighbours) have only themselves under Gi*, so there is no local
  neighbourhood to test; esda's permutation also drops their self-weight. They get
  p = NaN, are left out of the FDR family, and are never significant.
- **FDR.** Benjamini-Hochberg over the tested cells; significance bands use ``p_fdr <=``
  0.01 / 0.05 / 0.10 (valid for permutation p-values, which are >= 2/(permutations+1)).
- **Resolution.** With 999 permutations and ~1,000 units, BH can only pass cells when many
  sit at the p floor; ``p_method="normal"`` (sfhotspot's and ArcGIS's normal-theory p) has
  no floor. The caller chooses and the page should say which.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from csp_dash.analysis.metres import centroids_m, crs_of
from csp_dash.analysis.weights import Adjacency, BinaryWeights, distance_band, queen_contiguity

#: (threshold on p_fdr, label suffix), strictest first.
SIGNIFICANCE_BANDS: tuple[tuple[float, str], ...] = ((0.01, "99%"), (0.05, "95%"), (0.10, "90%"))
NOT_SIGNIFICANT = "not significant"
#: Legend order, hottest to coldest.
SIGNIFICANCE_LABELS: tuple[str, ...] = (
    *(f"hot {s}" for _, s in SIGNIFICANCE_BANDS),
    NOT_SIGNIFICANT,
    *(f"cold {s}" for _, s in reversed(SIGNIFICANCE_BANDS)),
)
GI_COLUMNS = ["gi_z", "p", "p_fdr", "significance", "neighbours"]

# Cap on units x permutations: the work (and time) of one permutation run.
MAX_SIMULATED_VALUES = 20_000_000
# Largest grid we will build: beyond this the cell size is surely a mistake.
MAX_GRID_CELLS = 250_000
# Gi* values lie in [0, 1]; anything closer than this is a tie (float summation order).
_TIE_TOL = 1e-10
# Simulated values held at once (units x permutations x neighbours), about 16 MB: the page
# must stay within its memory budget (issue 17) whatever the number of units.
_CHUNK_VALUES = 2_000_000

class Weights(NamedTuple):
    """Spatial weights and the plain-English statement shown beside the map."""

    w: BinaryWeights
    description: str


def fdr_bh(p) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (monotone, capped at 1).

    NaN entries are not tests: they stay NaN and do not count towards the family size.
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    values = p[tested]
    m = values.size
    if m == 0:
        return out
    if np.any((values < 0) | (values > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    order = np.argsort(values, kind="stable")
    scaled = values[order] * m / np.arange(1, m + 1)
    # Step-up: each adjusted value is the smallest scaled value at or above its rank.
    adjusted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    result = np.empty(m)
    result[order] = adjusted
    out[tested] = result
    return out


def _aligned_counts(counts, w)  -> tuple[np.ndarray, pd.Index]:
    """Counts as floats in ``w.id_order``, plus the index to report results on."""
    if isinstance(counts, pd.Series):
        ids = pd.Index(w.id_order)
        if len(counts) != len(ids) or not counts.index.isin(ids).all():
            raise ValueError("counts index must match the weights' ids")
        y = counts.reindex(ids).to_numpy(dtype=float)
        index = counts.index
    else:
        y = np.asarray(counts, dtype=float).ravel()
        if y.size != w.n:
            raise ValueError(f"{y.size} counts but {w.n} units in the weights")
        index = pd.Index(w.id_order)
    if np.isnan(y).any() or (y < 0).any():
        raise ValueError("counts must be non-negative numbers without gaps")
    return y, index


def _significance(gi_z: np.ndarray, p_fdr: np.ndarray) -> list[str]:
    labels = []
    for z, q in zip(gi_z, p_fdr, strict=True):
        label = NOT_SIGNIFICANT
        if np.isfinite(q) and np.isfinite(z) and z != 0:
            for alpha, suffix in SIGNIFICANCE_BANDS:
                if q <= alpha:
                    label = f"{'hot' if z > 0 else 'cold'} {suffix}"
                    break
        labels.append(label)
    return labels


def binary_matrix(w) -> Adjacency:
    """The weights' 0/1 neighbour matrix (``w`` is ours or a libpysal ``W``)."""
    if isinstance(w, BinaryWeights):
        return w.adjacency
    m = w.sparse.tocoo()
    keep = m.data != 0
    return Adjacency.from_pairs(m.row[keep], m.col[keep], m.shape[0])


def gi_star_z(y: np.ndarray, adj: Adjacency) -> tuple[np.ndarray, np.ndarray]:
    """G*_i and its z-score for each unit (rows of ``y``; ``y`` may be units x columns).

    ``adj`` is the binary neighbour matrix without self. Getis and Ord (1995) with binary
    weights plus self, in esda's ``G_Local.calc`` form (star=True):
    G_i = sum_j w*_ij y_j / sum y; E = k_i / n; V = k_i (n - k_i) / (n - 1) / n^2 * s^2 / m^2 (k_i = neighbours + 1, m and s^2
    the mean and population variance of y). 0/0 (a constant y, or a unit neighbouring every
    other unit) gives NaN or inf: callers treat those as untested.
    """
    y = np.asarray(y, dtype=float)
    n = y.shape[0]
    k = (adj.counts + 1).astype(float)  # neighbours plus self
    if y.ndim == 2:
        k = k[:, None]
    total = y.sum(axis=0)
    mean = total / n
    var = (y**2).sum(axis=0) / n - mean**2
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (adj.lag(y) + y) / total
        expected = k / n
        variance = k * (n - k) / (n - 1) / n**2 * var / mean**2
        z = (g - expected) / np.sqrt(variance)
    return g, z


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def normal_p(z: np.ndarray) -> np.ndarray:
    """Two-sided normal-theory p, 2 * (1 - Phi(|z|)) = erfc(|z| / sqrt 2): the standard
    library's erfc, not scipy (about 10 MB to import for this one function)."""
    p = np.asarray(_ERFC(np.abs(np.asarray(z, dtype=float)) / math.sqrt(2.0)), dtype=float)
    return np.minimum(1.0, p)  # erfc(nan) is nan: an untested unit stays untested


def _draws(others: int, size: int, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """``permutations`` rows of ``size`` distinct positions in range(others), each row a
    uniformly random ordered sample (so any prefix is a random subset too)."""
    out = np.empty((permutations, size), dtype=np.int64)
    if size == 0:
        return out
    rows = max(1, _CHUNK_VALUES // others)
    for start in range(0, permutations, rows):
        keys = rng.random((min(rows, permutations - start), others))
        smallest = np.argpartition(keys, size - 1, axis=1)[:, :size]
        order = np.argsort(np.take_along_axis(keys, smallest, axis=1), axis=1)
        out[start : start + len(keys)] = np.take_along_axis(smallest, order, axis=1)
    return out


def permutation_p(
    y: np.ndarray, adj: Adjacency, observed: np.ndarray, draws: np.ndarray
) -> np.ndarray:
    """Two-sided, tie-aware conditional-permutation p for each unit (module docstring).

    ``draws`` is permutations x (largest neighbour count) positions among the other n - 1
    units; unit i with k neighbours uses the first k of each row, with position j meaning
    unit j if j < i, else unit j + 1 (its own value left out). Islands get NaN.
    """
    n = y.size
    permutations = draws.shape[0]
    counts = adj.counts
    total = y.sum()
    p = np.full(n, np.nan)
    y_next = np.append(y[1:], 0.0)  # value at position j when unit i <= j is left out
    for k in np.unique(counts[counts > 0]):
        units = np.flatnonzero(counts == k)
        d = draws[:, :k]
        here, after = y[d], y_next[d]
        step = max(1, _CHUNK_VALUES // (permutations * k))
        for start in range(0, units.size, step):
            i = units[start : start + step]
            shifted = d[None, :, :] >= i[:, None, None]
            drawn = np.where(shifted, after[None], here[None]).sum(axis=2)
            sims = (y[i, None] + drawn) / total
            obs = observed[i, None]
            upper = (sims >= obs - _TIE_TOL).sum(axis=1)
            lower = (sims <= obs + _TIE_TOL).sum(axis=1)
            p[i] = np.minimum(1.0, 2.0 * (np.minimum(upper, lower) + 1) / (permutations + 1))
    return p


def _has_self_neighbours(w) -> bool:
    if isinstance(w, BinaryWeights):
        return False  # its constructor drops self-pairs
    return bool(np.any(w.sparse.diagonal() != 0))


def gi_star(
    counts: np.ndarray | pd.Series,
    weights: BinaryWeights,
    *,
    permutations: int = 999,
    seed: int = 12345,
    p_method: Literal["permutation", "normal"] = "permutation",
) -> pd.DataFrame:
    """Gi* z-scores, two-sided p, BH-adjusted p and a significance band per unit.

    ``weights`` (a ``BinaryWeights``, or a libpysal ``W`` in tests) are binary and without
    self-neighbours; the self-weight of 1 is added here. Results are indexed like ``counts``
    (or by the weights' ids for an array). Columns: gi_z, p, p_fdr, significance,
    neighbours (excluding self).

    ``p_method="permutation"`` (default) uses conditional permutations, so the
    smallest possible p is 2 / (permutations + 1); BH over m units then needs at least
    m * 2 / ((permutations + 1) * alpha) units at that floor before any is significant at
    alpha. ``"normal"`` uses 2 * (1 - Phi(|z|)), as sfhotspot and ArcGIS do, with no floor.
    Permutations are worked in chunks of units, so memory stays small; time grows with
    units x permutations x neighbours.
    """
    if p_method not in ("permutation", "normal"):
        raise ValueError("p_method must be 'permutation' or 'normal'")
    if p_method == "permutation" and permutations < 1:
        raise ValueError("permutations must be at least 1")
    if _has_self_neighbours(weights):
        raise ValueError("weights already include self-neighbours; gi_star adds them")
    y, index = _aligned_counts(counts, weights)
    if p_method == "permutation" and y.size * permutations > MAX_SIMULATED_VALUES:
        raise ValueError("too many units x permutations: use fewer permutations")
    adj = binary_matrix(weights)
    neighbours = adj.counts
    n = y.size
    gi_z = np.full(n, np.nan)
    p = np.full(n, np.nan)
    # A constant surface (all zero, say) has no variance: nothing can be tested.
    if n > 1 and np.ptp(y) > 0:
        g, gi_z = gi_star_z(y, adj)
        if p_method == "permutation":
            rng = np.random.default_rng(seed)
            p = permutation_p(y, adj, g, _draws(n - 1, neighbours.max(), permutations, rng))
        else:
            p = normal_p(gi_z)
        untested = (neighbours == 0) | ~np.isfinite(gi_z)
        gi_z[~np.isfinite(gi_z)] = np.nan
        p[untested] = np.nan
    p_fdr = fdr_bh(p)
    result = pd.DataFrame(
        {
            "gi_z": gi_z,
            "p": p,
            "p_fdr": p_fdr,
            "significance": _significance(gi_z, p_fdr),
            "neighbours": neighbours,
        },
        index=pd.Index(weights.id_order, name=index.name),
    )
    result = result.reindex(index)
    result.attrs.update(
        p_method=p_method, permutations=permutations if p_method == "permutation" else 0
    )
    return result


def describe_weights(w: BinaryWeights, kind: str, unit_word: str = "areas") -> str:
    """Plain statement of the weights, e.g. 'Queen contiguity, 284 cells, mean 7.3 neighbours,
    binary weights, self included (Gi*)'."""
    text = f"{kind}, {w.n:,} {unit_word}, mean {w.mean_neighbors:.1f} neighbours"
    text += ", binary weights, self included (Gi*)"
    if w.islands:
        text += f"; {len(w.islands):,} with no neighbours (not tested)"
    return text


def queen_weights(gdf: pd.DataFrame, unit_word: str = "areas") -> Weights:
    """Queen contiguity (shared edge or corner) between polygons (a ``geometry`` column, of a
    DataFrame or a GeoDataFrame), ids = ``gdf.index``."""
    if gdf.index.has_duplicates:
        raise ValueError("area index must be unique")
    # Islands are expected (offshore estates, gaps in custom polygons); we report them.
    w = queen_contiguity(gdf.geometry.to_numpy(), list(gdf.index))
    return Weights(w, describe_weights(w, "Queen contiguity", unit_word))


def distance_weights(
    gdf: pd.DataFrame, threshold_m: float, unit_word: str = "areas"
) -> Weights:
    """Binary distance band: units whose centroids lie within ``threshold_m`` metres.

    Centroids are taken in the local UTM zone (analysis/metres.py) so distances are metres;
    a plain DataFrame's polygons are WGS84 (hotspots/areas.area_frame).
    """
    if crs_of(gdf) is None:
        raise ValueError("geometry has no CRS")
    if threshold_m <= 0:
        raise ValueError("threshold_m must be positive")
    if gdf.index.has_duplicates:
        raise ValueError("area index must be unique")
    coords = centroids_m(gdf.geometry.to_numpy(), crs_of(gdf))
    w = distance_band(coords, threshold_m, list(gdf.index))
    kind = f"Distance band {threshold_m:,.0f} m between centroids"
    return Weights(w, describe_weights(w, kind, unit_word))


