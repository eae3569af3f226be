"""A determined reader of the public figures: every published number is a linear equation
over the true cells of the release table (rows x months); a hidden cell is worked out exactly
iff its unit vector lies in the row space of those equations.

Independent of csp_dash.disclosure's own checks: unknowns are ALL cells (visible ones too,
pinned by their own equation), and the rank test is an SVD of the whole system.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

TOTAL = "Total"


class LinearAttacker:
    def __init__(self, rows: list[str], months: list[pd.Timestamp]):
        self.rows, self.months = list(rows), [pd.Timestamp(m) for m in months]
        self._r = {r: i for i, r in enumerate(self.rows)}
        self._m = {m: j for j, m in enumerate(self.months)}
        self.equations: list[np.ndarray] = []
        self.values: list[float] = []

    @property
    def n(self) -> int:
        return len(self.rows) * len(self.months)

    def add_sum(self, rows, months, value: float) -> None:
        """A published figure: the sum of the cells of ``rows`` (or "Total": every row) over
        ``months``; rows may be a list of (row, sign) pairs for differences."""
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return
        line = np.zeros((len(self.rows), len(self.months)))
        items = rows if isinstance(rows, list) else [(rows, 1.0)]
        for row, sign in items:
            idx = slice(None) if row == TOTAL else self._r[row]
            for m in months:
                line[idx, self._m[pd.Timestamp(m)]] += sign
        if line.any():
            self.equations.append(line.ravel())
            self.values.append(float(value))

    def determined(self) -> np.ndarray:
        """rows x months mask: cells whose value the published figures fix exactly."""
        if not self.equations:
            return np.zeros((len(self.rows), len(self.months)), dtype=bool)
        # The row space of A is the range of the Gram matrix A^T A (unknowns x unknowns,
        # small), so its eigenvectors with non-zero eigenvalues are an orthonormal basis.
        a = csr_matrix(np.vstack(self.equations))
        w, v = np.linalg.eigh((a.T @ a).toarray())
        basis = v[:, w > 1e-9 * max(float(w.max()), 1.0)]
        fixed = (basis**2).sum(axis=1) > 1 - 1e-7
        return fixed.reshape(len(self.rows), len(self.months))

    def solve(self) -> np.ndarray:
        """The least-squares solution: equal to the truth on every determined cell."""
        x, *_ = np.linalg.lstsq(np.vstack(self.equations), np.array(self.values), rcond=None)
        return x.reshape(len(self.rows), len(self.months))


def recovered(attacker: LinearAttacker, truth: pd.DataFrame, hidden: pd.DataFrame) -> tuple[int, int]:
    """(hidden cells recovered exactly, hidden cells) of the release's interior."""
    h = hidden.loc[attacker.rows, attacker.months].to_numpy()
    fixed = attacker.determined() & h
    if fixed.any():  # a determined cell must come out as its true value: the attack is real
        x = attacker.solve()
        t = truth.loc[attacker.rows, attacker.months].to_numpy()
        assert np.allclose(x[fixed], t[fixed], atol=1e-6)
    return int(fixed.sum()), int(h.sum())
