"""Getis-Ord Gi* hotspot statistic with permutation p-values and FDR correction.

Method (docs/methods.md, "Gi* and FDR"): ``esda.G_Local(y, w, transform="B", star=True)``
over binary queen or distance-band weights, with the focal cell included (Gi*).

Choices, stated so the page can say them:

- **Two-sided test.** esda's ``p_sim`` is one-sided in the direction of the observed value
  (it "folds" to the nearer tail). Analysts look for hot *and* cold spots, so we double it
  (capped at 1): a two-sided test at level alpha, as in ArcGIS Hot Spot Analysis.
- **Ties.** Crime counts have many zeros, so simulated Gi* values often equal the observed
  one. esda 2.9 counts such ties as "larger" and then folds, which gives an empty cell in an
  empty neighbourhood p = 0.001 (a spurious cold spot). We recount from esda's own
  simulations with ties on both sides: p = 2 * min(#(sim >= obs) + 1, #(sim <= obs) + 1) /
  (permutations + 1). Where there are no ties this is exactly 2 * esda's ``p_sim``.
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

import warnings
import weakref
from typing import Literal, NamedTuple

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.weights import DistanceBand, Queen, W
from libpysal.weights.util import fill_diagonal
from scipy import stats

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

# Cap on simulated Gi* values kept in memory (units x permutations), about 160 MB.
MAX_SIMULATED_VALUES = 20_000_000
# Largest grid we will build: beyond this the cell size is surely a mistake.
MAX_GRID_CELLS = 250_000
# Gi* values lie in [0, 1]; anything closer than this is a tie (float summation order).
_TIE_TOL = 1e-10
# Known harmless warnings from inside esda 2.9, silenced by exact message and category:
# G_Local cannot pass `alternative` to its randomisation engine, so every call warns; and
# adding self-weights rebuilds the W, which re-warns about islands/components we report.
_ESDA_ALTERNATIVE_WARNING = "The alternative hypothesis for conditional randomization"
_LIBPYSAL_CONNECTED_WARNING = "The weights matrix is not fully connected"


class Weights(NamedTuple):
    """Spatial weights and the plain-English statement shown beside the map."""

    w: W
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


def _aligned_counts(counts, w: W) -> tuple[np.ndarray, pd.Index]:
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


# Weights with the self-weight of 1 added, built once per W: esda would rebuild them (via
# libpysal fill_diagonal) on every call, which on thousands of units costs 5-10 times Gi*
# itself. esda takes a W that already has a diagonal as it is, so results are unchanged.
_WITH_SELF: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _with_self(w: W) -> W:
    full = _WITH_SELF.get(w)
    if full is None:
        full = _WITH_SELF[w] = fill_diagonal(w, 1.0)
    return full


def _run_g_local(y: np.ndarray, w: W, permutations: int, seed: int):
    """esda.G_Local for Gi* on binary weights, silencing only its known harmless warnings."""
    rng_state = np.random.get_state()  # esda reseeds numpy's global generator
    try:
        # 0/0 z-scores (a unit neighbouring every other unit) come back NaN: handled by caller.
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.filterwarnings(
                "ignore", message=_ESDA_ALTERNATIVE_WARNING, category=DeprecationWarning
            )
            warnings.filterwarnings(
                "ignore", message=_LIBPYSAL_CONNECTED_WARNING, category=UserWarning
            )
            return esda.G_Local(
                y,
                _with_self(w),
                transform="B",
                permutations=permutations,
                star=True,
                seed=seed,
                n_jobs=1,  # no worker processes inside the app; same draws as n_jobs>1
            )
    finally:
        np.random.set_state(rng_state)


def gi_star(
    counts: np.ndarray | pd.Series,
    weights: W,
    *,
    permutations: int = 999,
    seed: int = 12345,
    p_method: Literal["permutation", "normal"] = "permutation",
) -> pd.DataFrame:
    """Gi* z-scores, two-sided p, BH-adjusted p and a significance band per unit.

    ``weights`` are binary and without self-neighbours (the builders here return such);
    esda adds the self-weight of 1 for Gi*. Results are indexed like ``counts`` (or by the
    weights' ids for an array). Columns: gi_z, p, p_fdr, significance, neighbours
    (excluding self).

    ``p_method="permutation"`` (default) uses esda's conditional permutations, so the
    smallest possible p is 2 / (permutations + 1); BH over m units then needs at least
    m * 2 / ((permutations + 1) * alpha) units at that floor before any is significant at
    alpha. ``"normal"`` uses 2 * (1 - Phi(|z|)), as sfhotspot and ArcGIS do, with no floor.
    Memory for permutations is about units x permutations x 8 bytes.
    """
    if p_method not in ("permutation", "normal"):
        raise ValueError("p_method must be 'permutation' or 'normal'")
    if p_method == "permutation" and permutations < 1:
        raise ValueError("permutations must be at least 1")
    if np.any(weights.sparse.diagonal() != 0):
        raise ValueError("weights already include self-neighbours; gi_star adds them")
    y, index = _aligned_counts(counts, weights)
    if p_method == "permutation" and y.size * permutations > MAX_SIMULATED_VALUES:
        raise ValueError("too many units x permutations: use fewer permutations")
    neighbours = np.asarray([weights.cardinalities[i] for i in weights.id_order])
    n = y.size
    gi_z = np.full(n, np.nan)
    p = np.full(n, np.nan)
    # A constant surface (all zero, say) has no variance: nothing can be tested.
    if n > 1 and np.ptp(y) > 0:
        runs = permutations if p_method == "permutation" else 0
        g = _run_g_local(y, weights, runs, seed)
        gi_z = np.asarray(g.Zs, dtype=float)
        if p_method == "permutation":
            sims = np.asarray(g.rGs, dtype=float)
            observed = np.asarray(g.Gs, dtype=float)[:, None]
            upper = (sims >= observed - _TIE_TOL).sum(axis=1)
            lower = (sims <= observed + _TIE_TOL).sum(axis=1)
            p = np.minimum(1.0, 2.0 * (np.minimum(upper, lower) + 1) / (permutations + 1))
        else:
            p = np.minimum(1.0, 2.0 * stats.norm.sf(np.abs(gi_z)))
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


def describe_weights(w: W, kind: str, unit_word: str = "areas") -> str:
    """Plain statement of the weights, e.g. 'Queen contiguity, 284 cells, mean 7.3 neighbours,
    binary weights, self included (Gi*)'."""
    text = f"{kind}, {w.n:,} {unit_word}, mean {w.mean_neighbors:.1f} neighbours"
    text += ", binary weights, self included (Gi*)"
    if w.islands:
        text += f"; {len(w.islands):,} with no neighbours (not tested)"
    return text


def queen_weights(gdf: gpd.GeoDataFrame, unit_word: str = "areas") -> Weights:
    """Queen contiguity (shared edge or corner) between polygons, ids = ``gdf.index``."""
    if gdf.index.has_duplicates:
        raise ValueError("area index must be unique")
    # Islands are expected (offshore estates, gaps in custom polygons); we report them.
    w = Queen.from_dataframe(gdf, use_index=True, silence_warnings=True)
    return Weights(w, describe_weights(w, "Queen contiguity", unit_word))


def distance_weights(
    gdf: gpd.GeoDataFrame, threshold_m: float, unit_word: str = "areas"
) -> Weights:
    """Binary distance band: units whose centroids lie within ``threshold_m`` metres.

    Centroids are taken in the local UTM zone (``estimate_utm_crs``) so distances are metres.
    """
    if gdf.crs is None:
        raise ValueError("geometry has no CRS")
    if threshold_m <= 0:
        raise ValueError("threshold_m must be positive")
    if gdf.index.has_duplicates:
        raise ValueError("area index must be unique")
    projected = gdf.geometry.to_crs(gdf.estimate_utm_crs())
    centroids = projected.centroid
    coords = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
    w = DistanceBand(
        coords, threshold=threshold_m, binary=True, ids=list(gdf.index), silence_warnings=True
    )
    kind = f"Distance band {threshold_m:,.0f} m between centroids"
    return Weights(w, describe_weights(w, kind, unit_word))


