"""Binary spatial weights: which units neighbour which (docs/methods.md, "Spatial weights").

Our own small replacement for libpysal's ``W``, ``Queen``, ``DistanceBand`` and
``min_threshold_distance``, so the served app does not load libpysal (docs/architecture.md,
"Performance"); tests check the neighbour sets equal libpysal's. Attribute names follow
libpysal's ``W`` (``sparse``, ``id_order``, ``n``, ``islands``, ``mean_neighbors``,
``neighbors``) so the Gi* code takes either. The neighbour lists are kept as plain numpy
arrays (``Adjacency``): scipy.sparse costs the served app about 10 MB for two operations.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from functools import cached_property

import numpy as np
import shapely


class Adjacency:
    """A 0/1 neighbour matrix in compressed-row form: unit i's neighbours are
    ``indices[indptr[i]:indptr[i + 1]]``, sorted."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray):
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices, dtype=np.int64)
        self.n = self.indptr.size - 1

    @classmethod
    def from_pairs(cls, rows: np.ndarray, cols: np.ndarray, n: int) -> Adjacency:
        """Unit ``rows[k]`` neighbours ``cols[k]``; repeated pairs count once."""
        key = np.unique(np.asarray(rows, dtype=np.int64) * n + np.asarray(cols, dtype=np.int64))
        rows, cols = np.divmod(key, n) if n else (key, key)
        return cls(np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]), cols)

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.indptr)

    def lag(self, y: np.ndarray) -> np.ndarray:
        """Sum of each unit's neighbours' values (rows of ``y``, which may be 2-D)."""
        y = np.asarray(y, dtype=float)
        out = np.zeros(y.shape)
        filled = self.counts > 0  # reduceat would give an empty row its next value
        if filled.any():
            out[filled] = np.add.reduceat(y[self.indices], self.indptr[:-1][filled], axis=0)
        return out


class BinaryWeights:
    """A symmetric 0/1 neighbour matrix over ``ids`` (no unit neighbours itself)."""

    def __init__(self, first: np.ndarray, second: np.ndarray, ids: Sequence[Hashable]):
        """Pairs of positions (``first[k]`` neighbours ``second[k]``); both directions are
        added, self-pairs and repeats dropped."""
        self.id_order = list(ids)
        n = len(self.id_order)
        if len(set(self.id_order)) != n:
            raise ValueError("ids must be unique")
        first = np.asarray(first, dtype=np.int64)
        second = np.asarray(second, dtype=np.int64)
        keep = first != second
        rows = np.concatenate([first[keep], second[keep]])
        cols = np.concatenate([second[keep], first[keep]])
        self.adjacency = Adjacency.from_pairs(rows, cols, n)

    @cached_property
    def sparse(self):
        """As a scipy.sparse matrix, libpysal's form (for tests and callers outside the app)."""
        from scipy import sparse

        a = self.adjacency
        return sparse.csr_matrix((np.ones(a.indices.size), a.indices, a.indptr),
                                 shape=(self.n, self.n))

    @classmethod
    def from_neighbours(
        cls, neighbours: Mapping[Hashable, Sequence[Hashable]], ids: Sequence[Hashable]
    ) -> BinaryWeights:
        """From ``{id: [neighbouring ids]}``; ids missing from the mapping have none."""
        position = {u: i for i, u in enumerate(ids)}
        first = [position[u] for u, vs in neighbours.items() for _ in vs]
        second = [position[v] for vs in neighbours.values() for v in vs]
        return cls(np.array(first, dtype=np.int64), np.array(second, dtype=np.int64), ids)

    @property
    def n(self) -> int:
        return len(self.id_order)

    @cached_property
    def counts(self) -> np.ndarray:
        """Neighbours of each unit, in ``id_order``."""
        return self.adjacency.counts

    @property
    def islands(self) -> list:
        """Units with no neighbour."""
        return [self.id_order[i] for i in np.flatnonzero(self.counts == 0)]

    @property
    def mean_neighbors(self) -> float:
        return float(self.counts.mean()) if self.n else 0.0

    @property
    def neighbors(self) -> dict:
        """``{id: [neighbouring ids]}`` (for reading and tests; the maths uses ``adjacency``)."""
        m, ids = self.adjacency, self.id_order
        return {
            ids[i]: [ids[j] for j in m.indices[m.indptr[i] : m.indptr[i + 1]]]
            for i in range(self.n)
        }


def queen_contiguity(geometries, ids: Sequence[Hashable]) -> BinaryWeights:
    """Queen contiguity: polygons sharing at least one point (an edge or just a corner).

    Overlapping polygons count as neighbours too. libpysal's Queen matches shared vertices
    instead; on boundaries that share their vertices (LSOAs, wards, H3) the two agree.
    """
    geoms = np.asarray(geometries, dtype=object)
    if geoms.size != len(ids):
        raise ValueError("one geometry per id")
    first, second = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    return BinaryWeights(first, second, ids)


def distance_band(coords: np.ndarray, threshold: float, ids: Sequence[Hashable]) -> BinaryWeights:
    """Units whose points lie within ``threshold`` (same units as ``coords``) of each other.

    Points at distance 0 are neighbours too (libpysal's DistanceBand drops them).
    """
    # scipy.spatial costs about 4 MB of memory; only distance bands need it.
    from scipy.spatial import cKDTree

    coords = np.asarray(coords, dtype=float)
    if len(coords) != len(ids):
        raise ValueError("one point per id")
    pairs = cKDTree(coords).query_pairs(threshold, output_type="ndarray")
    return BinaryWeights(pairs[:, 0], pairs[:, 1], ids)


def min_threshold_distance(coords: np.ndarray) -> float:
    """Smallest distance band giving every point a neighbour: the largest of the
    nearest-neighbour distances."""
    from scipy.spatial import cKDTree

    coords = np.asarray(coords, dtype=float)
    if len(coords) < 2:
        raise ValueError("need at least two points")
    distances, _ = cKDTree(coords).query(coords, k=2)
    return float(distances[:, 1].max())
