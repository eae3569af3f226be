"""Near-repeat analysis: the Knox test with Monte Carlo significance, as Ratcliffe's
Near Repeat Calculator (Knox 1964; Ratcliffe 2009, Near Repeat Calculator v1.3).

Every pair of events is counted once by its distance apart (metres on a projected grid,
Manhattan by default as the Calculator, or Euclidean) and days apart. Space bands: "same
location" (distance 0), then (0, b1], (b1, b2] ... and an open-ended "more than" band. Time
bands: [t0, t1], (t1, t2] ... and an open-ended last band. Bands include their upper edge.

Significance: event dates are shuffled across the fixed locations; the Knox ratio of a cell
is observed / mean over the permutations, and p = (permutations >= observed + 1) /
(permutations + 1), one-sided (more pairs than chance).

Speed: shuffling dates keeps every row total (pairs per space band, locations fixed) and
every column total (the multiset of date differences over all pairs). So only pairs inside
the last finite distance band are counted per permutation (a k-d tree finds them); the open
bands follow from the totals. Permutations run as vectorised blocks, never a loop over pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

ALPHA = 0.05
_BLOCK_ELEMENTS = 4_000_000  # permutations x close pairs per vectorised block (memory cap)


@dataclass
class KnoxResult:
    """Observed counts, permutation means, ratios and p-values (space rows x time columns)."""

    space_labels: list[str]
    time_labels: list[str]
    observed: np.ndarray
    expected: np.ndarray  # mean over permutations
    ratio: np.ndarray
    p: np.ndarray
    permutations: int
    seed: int | None
    distance: str
    n_events: int
    perm_tables: np.ndarray  # permutations x space x time: for block readings and checks
    space_edges: np.ndarray
    time_edges: np.ndarray

    def table(self) -> pd.DataFrame:
        """One row per cell: bands, observed, expected, ratio, p and significant."""
        s, t = np.meshgrid(range(len(self.space_labels)), range(len(self.time_labels)),
                           indexing="ij")
        return pd.DataFrame({
            "distance": np.array(self.space_labels)[s.ravel()],
            "days": np.array(self.time_labels)[t.ravel()],
            "observed": self.observed.ravel(),
            "expected": self.expected.ravel(),
            "ratio": self.ratio.ravel(),
            "p": self.p.ravel(),
            "significant": (self.p.ravel() < ALPHA) & (self.ratio.ravel() > 1),
        })


def check_bands(space_bands, time_bands) -> tuple[np.ndarray, np.ndarray]:
    """Validated band edges: space starts at 0 (same location), both strictly increasing."""
    s = np.asarray(list(space_bands), dtype=float)
    t = np.asarray(list(time_bands), dtype=float)
    for name, e in (("space", s), ("time", t)):
        if len(e) < 2 or np.any(np.diff(e) <= 0) or e[0] != 0:
            raise ValueError(f"{name} bands must start at 0 and increase, e.g. 0,100,200")
    return s, t


def band_labels(space: np.ndarray, time: np.ndarray) -> tuple[list[str], list[str]]:
    def num(x: float) -> str:
        return f"{x:g}"

    sl = ["Same location", f"1–{num(space[1])} m"]
    sl += [f"{num(a + 1)}–{num(b)} m" for a, b in zip(space[1:-1], space[2:], strict=True)]
    sl.append(f"More than {num(space[-1])} m")
    tl = [f"{num(time[0])}–{num(time[1])} days"]
    tl += [f"{num(a + 1)}–{num(b)} days" for a, b in zip(time[1:-1], time[2:], strict=True)]
    tl.append(f"More than {num(time[-1])} days")
    return sl, tl


def _close_pairs(x: np.ndarray, y: np.ndarray, radius: float, metric: str):
    """Index pairs (i < j) at most ``radius`` apart, and their distances."""
    p = 1 if metric == "manhattan" else 2
    pts = np.column_stack([x, y])
    pairs = cKDTree(pts).query_pairs(radius, p=p, output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    i, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    d = np.abs(x[i] - x[j]) + np.abs(y[i] - y[j]) if p == 1 else np.hypot(x[i] - x[j], y[i] - y[j])
    # a k-d tree's float test may admit a pair a hair past the radius
    keep = d <= radius
    return i[keep], j[keep], d[keep]


def _space_band(d: np.ndarray, space: np.ndarray) -> np.ndarray:
    """0 for same location, k for (space[k-1], space[k]]."""
    return np.where(d == 0, 0, np.searchsorted(space, d, side="left")).astype(np.int64)


def _time_band(dt: np.ndarray, time: np.ndarray) -> np.ndarray:
    """0 for [t0, t1], k for (t_k, t_k+1], len(time)-1 for more than the last edge."""
    return np.maximum(np.searchsorted(time, dt, side="left") - 1, 0)


def _column_totals(days: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Pairs per time band over all pairs, from the sorted dates (no pair loop)."""
    d = np.sort(days)
    n = len(d)
    totals = np.zeros(len(time), dtype=np.int64)
    # pairs with difference <= e: for each i, the j > i with d[j] <= d[i] + e
    le = [int((np.searchsorted(d, d + e, side="right") - np.arange(1, n + 1)).sum())
          for e in time[1:]]
    totals[0] = le[0]
    totals[1:-1] = np.diff(le)
    totals[-1] = n * (n - 1) // 2 - le[-1]
    return totals


def _tables(days_perm: np.ndarray, i, j, sband, time, rows, cols) -> np.ndarray:
    """Full tables (k x space x time) for a block of date vectors (k x n)."""
    k = days_perm.shape[0]
    n_s, n_t = len(rows), len(cols)
    dt = np.abs(days_perm[:, i] - days_perm[:, j])
    cell = sband[None, :] * n_t + _time_band(dt, time)
    cell += (np.arange(k) * n_s * n_t)[:, None]
    counts = np.bincount(cell.ravel(), minlength=k * n_s * n_t).reshape(k, n_s, n_t)
    # The finite-distance rows lack only their open time column; the open row is the rest.
    counts[:, :-1, -1] = rows[None, :-1] - counts[:, :-1, :-1].sum(axis=2)
    counts[:, -1, :] = cols[None, :] - counts[:, :-1, :].sum(axis=1)
    return counts


def run_knox(x, y, days, space_bands=(0, 100, 200, 300, 400), time_bands=(0, 7, 14, 21, 28),
             *, distance: str = "manhattan", permutations: int = 999,
             seed: int | None = None) -> KnoxResult:
    """Knox table for events at (x, y) metres on whole-number ``days``, with Monte Carlo p."""
    if distance not in ("manhattan", "euclidean"):
        raise ValueError("distance must be manhattan or euclidean")
    if permutations < 1:
        raise ValueError("permutations must be at least 1")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    days = np.asarray(days, dtype=np.int64)
    if not (len(x) == len(y) == len(days)):
        raise ValueError("x, y and days must have the same length")
    if len(x) < 3 or np.isnan(x).any() or np.isnan(y).any():
        raise ValueError("near-repeat needs at least 3 events, each with coordinates")
    space, time = check_bands(space_bands, time_bands)
    i, j, d = _close_pairs(x, y, space[-1], distance)
    sband = _space_band(d, space)
    rows = np.append(np.bincount(sband, minlength=len(space)), 0)
    rows[-1] = len(x) * (len(x) - 1) // 2 - rows.sum()
    cols = _column_totals(days, time)
    n_s = len(space)
    sb = np.minimum(sband, n_s - 1)  # already < n_s: the close pairs are all finite
    observed = _tables(days[None, :], i, j, sb, time, rows, cols)[0]

    rng = np.random.default_rng(seed)
    block = max(1, _BLOCK_ELEMENTS // max(len(i), 1))
    perm = np.empty((permutations, n_s + 1, len(time)), dtype=np.int64)
    for start in range(0, permutations, block):
        k = min(block, permutations - start)
        shuffled = rng.permuted(np.broadcast_to(days, (k, len(days))), axis=1)
        perm[start:start + k] = _tables(shuffled, i, j, sb, time, rows, cols)
    expected = perm.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    p = ((perm >= observed[None]).sum(axis=0) + 1) / (permutations + 1)
    sl, tl = band_labels(space, time)
    return KnoxResult(sl, tl, observed, expected, ratio, p, permutations, seed, distance,
                      len(x), perm, space, time)


def block_ratio(result: KnoxResult, space_upto: int, time_upto: int) -> tuple[float, float]:
    """Ratio and p for all pairs within the first ``space_upto`` space bands (same location
    included) and ``time_upto`` time bands, as one cell."""
    obs = result.observed[:space_upto, :time_upto].sum()
    perm = result.perm_tables[:, :space_upto, :time_upto].sum(axis=(1, 2))
    mean = perm.mean()
    ratio = obs / mean if mean > 0 else np.nan
    return float(ratio), float(((perm >= obs).sum() + 1) / (result.permutations + 1))


def _best_block(result: KnoxResult, space_range: range):
    """The significant block (ratio above 1) with the strongest evidence: the largest z of the
    observed pairs against the permutations."""
    best, best_z = None, -np.inf
    for s_up in space_range:
        for t_up in range(1, len(result.time_edges)):
            obs = result.observed[:s_up, :t_up].sum()
            perm = result.perm_tables[:, :s_up, :t_up].sum(axis=(1, 2))
            sd = perm.std()
            ratio, p = block_ratio(result, s_up, t_up)
            z = (obs - perm.mean()) / sd if sd > 0 else -np.inf
            if p < ALPHA and ratio > 1 and z > best_z:
                best, best_z = (s_up, t_up, ratio, p), z
    return best


def describe_knox(result: KnoxResult, what: str = "crime") -> list[str]:
    """Plain-English readings: repeats at the same place, the near-repeat block with the
    strongest evidence, then each significant cell."""
    space, time = result.space_edges, result.time_edges
    lines = []
    repeat = _best_block(result, range(1, 2))
    if repeat:
        _, t_up, ratio, p = repeat
        lines.append(f"Repeat: after a {what}, another at the same place in the following "
                     f"{time[t_up]:g} days is {ratio:.1f} times as likely as chance (p = {p:.3f}).")
    near = _best_block(result, range(2, len(space) + 1))
    if near:
        s_up, t_up, ratio, p = near
        lines.append(f"Near repeat: after a {what}, another within {space[s_up - 1]:g} m in the "
                     f"following {time[t_up]:g} days is {ratio:.1f} times as likely as chance "
                     f"(p = {p:.3f}).")
    if not (repeat or near):
        lines.append(f"No near-repeat pattern: for {what}, no combination of distance and time "
                     "shown has significantly more pairs than chance.")
    sig = result.table()
    for row in sig[sig["significant"]].itertuples():
        if row.distance.startswith("More than") or row.days.startswith("More than"):
            continue
        lines.append(f"{row.distance}, {row.days}: {row.ratio:.1f} times chance "
                     f"({row.observed} pairs, p = {row.p:.3f}).")
    return lines
