"""Small-number suppression for public and presentation views (docs/methods.md, "Disclosure control").

Primary suppression hides counts with ``0 < count < threshold``. Zeros stay visible by
default, as in ONS practice (a zero says nobody was counted; it identifies nobody);
pass ``suppress_zeros=True`` where the data-sharing agreement says otherwise.

Secondary (complementary) suppression then hides further cells so that no hidden cell
can be worked out from the published totals. A table with its totals is treated as one
augmented table: every row and column of it, the "Total" row and column included, is a
linear equation "cells add up to the total". A hidden cell is recoverable exactly when it
is a bridge in the graph of hidden cells (rows and columns as nodes), so each primary cell
is put on a cycle: the cheapest rectangle of complements (the hypercube method for two
dimensions). Complements are the smallest non-zero visible cells; totals and zeros are
used only when nothing else will do, because hiding a zero gives little protection (a
small count plus a hidden 0 equals the visible remainder).

Every hidden cell shows the same label, "[c]" by default (the GSS symbol for
"confidential"). One label for all, because a label such as "<5" would be false on a
complement and a separate complement label lets a reader narrow the hidden values.
Totals that are shown are true totals; a total below the threshold is itself suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

# Themes whose small counts are suppressed in public views (docs/methods.md, "Disclosure control").
# "female genital mutilation" is FGM spelt out, so both spellings match.
SENSITIVE_THEMES: frozenset[str] = frozenset(
    {
        "domestic abuse",
        "sexual offences",
        "modern slavery",
        "fgm",
        "female genital mutilation",
        "hate",
    }
)
# police.uk's "Violence and sexual offences" mixes common assault with sexual offences;
# suppressing all violence would blank most public tables, so it is NOT sensitive by default.
NOT_SENSITIVE: frozenset[str] = frozenset({"violence and sexual offences"})

DEFAULT_LABEL = "[c]"
TOTAL = "Total"


def _normalise(label: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(label).lower()).split())


def is_sensitive(
    label: str,
    themes: Iterable[str] = SENSITIVE_THEMES,
    *,
    not_sensitive: Iterable[str] = NOT_SENSITIVE,
) -> bool:
    """True if a theme or category label names a sensitive theme.

    Case, hyphens and punctuation are ignored; a theme matches as whole words anywhere in
    the label ("Hate crime", "Racially aggravated hate crime", "Domestic-abuse related").
    Labels listed in ``not_sensitive`` are exempt even if they contain a theme.
    """
    name = f" {_normalise(label)} "
    if name.strip() in {_normalise(x) for x in not_sensitive}:
        return False
    return any(f" {_normalise(t)} " in name for t in themes if _normalise(t))


@dataclass(frozen=True)
class SuppressedTable:
    """A count table made safe to publish.

    ``display`` holds strings, with a "Total" row and column when totals are published.
    ``primary`` and ``secondary`` are boolean masks of the same shape as ``display``.
    ``row_totals``, ``column_totals`` and ``grand_total`` are the TRUE totals, for the
    caller's own checks: a total hidden in ``display`` must not be published elsewhere.
    """

    display: pd.DataFrame
    primary: pd.DataFrame
    secondary: pd.DataFrame
    row_totals: pd.Series
    column_totals: pd.Series
    grand_total: int
    threshold: int
    label: str

    @property
    def hidden(self) -> pd.DataFrame:
        return self.primary | self.secondary

    @property
    def note(self) -> str:
        return _note(self.label, self.threshold)


@dataclass(frozen=True)
class SuppressedSeries:
    """A 1-D list of counts made safe to publish; ``display`` ends with "Total" if published."""

    display: pd.Series
    primary: pd.Series
    secondary: pd.Series
    total: int
    threshold: int
    label: str

    @property
    def hidden(self) -> pd.Series:
        return self.primary | self.secondary

    @property
    def note(self) -> str:
        return _note(self.label, self.threshold)


def _note(label: str, threshold: int) -> str:
    return (
        f"{label} = suppressed: a count from 1 to {threshold - 1}, or a figure hidden so that "
        "a small count cannot be worked out from the totals."
    )


def _counts(values: pd.DataFrame | pd.Series) -> np.ndarray:
    """Validated non-negative integer counts as int64."""
    arr = values.to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(arr).any():
        raise ValueError("counts contain missing values; fill them with 0 first")
    if (arr < 0).any() or not np.array_equal(arr, np.round(arr)):
        raise ValueError("counts must be non-negative whole numbers")
    return arr.astype("int64")


def _primary(counts: np.ndarray, threshold: int, suppress_zeros: bool) -> np.ndarray:
    low = 0 if suppress_zeros else 1
    return (counts >= low) & (counts < threshold)


def _check_threshold(threshold: int) -> None:
    if int(threshold) != threshold or threshold < 1:
        raise ValueError("threshold must be a whole number of at least 1")


def _complement_cost(aug: np.ndarray, hidden: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """Cost of newly hiding each cell: non-zero cells by value, then totals, then zeros."""
    step = 3 * int(aug.max(initial=0)) + 1  # more than any three cell values together
    cost = aug.astype("int64").copy()
    cost[margin] += step
    cost[(aug == 0) & ~margin] = 4 * step
    cost[hidden] = 0
    return cost


def _on_cycle(hidden: np.ndarray, r: int, c: int) -> bool:
    """True if hidden cell (r, c) is not a bridge: row r and column c stay linked without it."""
    n_rows, n_cols = hidden.shape
    rows, cols = np.nonzero(hidden)
    keep = ~((rows == r) & (cols == c))
    graph = coo_matrix(
        (np.ones(int(keep.sum())), (rows[keep], n_rows + cols[keep])),
        shape=(n_rows + n_cols, n_rows + n_cols),
    )
    _, comp = connected_components(graph, directed=False)
    return bool(comp[r] == comp[n_rows + c])


def _protect(aug: np.ndarray, hidden: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """Add complements until no hidden cell of the augmented table is recoverable."""
    hidden = hidden.copy()
    order = np.argwhere(hidden)
    order = order[np.lexsort((order[:, 1], order[:, 0], aug[hidden]))]  # smallest first
    big = np.iinfo("int64").max
    # Hiding more never makes a hidden cell recoverable, so only these need another look.
    at_risk = recoverable_cells(hidden)
    for r, c in order:
        if not at_risk[r, c] or _on_cycle(hidden, r, c):
            continue
        cost = _complement_cost(aug, hidden, margin)
        # rect[r2, c2] = cost of hiding (r, c2), (r2, c) and (r2, c2): a 4-cycle through (r, c)
        rect = cost[r, :][None, :] + cost[:, c][:, None] + cost
        rect[r, :] = big
        rect[:, c] = big
        r2, c2 = np.unravel_index(np.argmin(rect), rect.shape)
        hidden[r, c2] = hidden[r2, c] = hidden[r2, c2] = True
    # Every primary and its complements now lie on a cycle; confirm with the algebra.
    if recoverable_cells(hidden).any():
        raise RuntimeError("secondary suppression left a recoverable cell")
    return hidden


def _fmt(v: int) -> str:
    return f"{int(v):,}"


def suppress_table(
    table: pd.DataFrame,
    threshold: int = 5,
    *,
    with_totals: bool = True,
    suppress_zeros: bool = False,
    label: str = DEFAULT_LABEL,
) -> SuppressedTable:
    """Suppress small counts in a rows x columns count table (e.g. estate x month).

    With ``with_totals`` (row, column and grand totals are published) secondary
    suppression makes every hidden cell unrecoverable from the totals and visible cells.
    Use ``with_totals=False`` only if no totals of this table are published anywhere.
    """
    _check_threshold(threshold)
    if TOTAL in table.index or TOTAL in table.columns:
        raise ValueError(f"the table already has a {TOTAL!r} row or column")
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise ValueError("the table is empty")
    counts = _counts(table)
    row_totals = counts.sum(axis=1)
    col_totals = counts.sum(axis=0)
    grand = int(counts.sum())

    if with_totals:
        aug = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1), dtype="int64")
        aug[:-1, :-1] = counts
        aug[:-1, -1] = row_totals
        aug[-1, :-1] = col_totals
        aug[-1, -1] = grand
        margin = np.zeros(aug.shape, dtype=bool)
        margin[-1, :] = margin[:, -1] = True
        index = [*table.index, TOTAL]
        columns = [*table.columns, TOTAL]
    else:
        aug, margin = counts, np.zeros(counts.shape, dtype=bool)
        index, columns = list(table.index), list(table.columns)

    primary = _primary(aug, threshold, suppress_zeros)
    hidden = _protect(aug, primary, margin) if with_totals and primary.any() else primary
    secondary = hidden & ~primary

    text = np.vectorize(_fmt, otypes=[object])(aug)
    text[hidden] = label
    frame = pd.DataFrame(text, index=index, columns=columns, dtype=object)
    frame.index.name, frame.columns.name = table.index.name, table.columns.name
    return SuppressedTable(
        display=frame,
        primary=pd.DataFrame(primary, index=index, columns=columns),
        secondary=pd.DataFrame(secondary, index=index, columns=columns),
        row_totals=pd.Series(row_totals, index=table.index, name=TOTAL),
        column_totals=pd.Series(col_totals, index=table.columns, name=TOTAL),
        grand_total=grand,
        threshold=int(threshold),
        label=label,
    )


def suppress_series(
    values: pd.Series,
    threshold: int = 5,
    *,
    with_total: bool = True,
    suppress_zeros: bool = False,
    label: str = DEFAULT_LABEL,
) -> SuppressedSeries:
    """Suppress small counts in a 1-D list; with its total published, hide >= 2 entries.

    The total is one more entry of the line: it is hidden if it is itself small, or as
    the complement of last resort (after the smallest non-zero value, before a zero).
    """
    _check_threshold(threshold)
    if TOTAL in values.index:
        raise ValueError(f"the series already has a {TOTAL!r} entry")
    counts = _counts(values)
    total = int(counts.sum())
    line = np.append(counts, total) if with_total else counts
    primary = _primary(line, threshold, suppress_zeros)
    hidden = primary.copy()
    if with_total and hidden.sum() == 1:
        margin = np.zeros(line.shape, dtype=bool)
        margin[-1] = True
        cost = _complement_cost(line, hidden, margin).astype("float64")
        cost[hidden] = np.inf
        hidden[int(np.argmin(cost))] = True
    index = [*values.index, TOTAL] if with_total else list(values.index)
    text = np.array(
        [label if h else _fmt(v) for v, h in zip(line, hidden, strict=True)], dtype=object
    )
    return SuppressedSeries(
        display=pd.Series(text, index=index, name=values.name, dtype=object),
        primary=pd.Series(primary, index=index),
        secondary=pd.Series(hidden & ~primary, index=index),
        total=total,
        threshold=int(threshold),
        label=label,
    )


def _constraints(shape: tuple[int, ...], cells: np.ndarray) -> csr_matrix:
    """Line equations restricted to ``cells`` (flat indices): +1 on a cell, -1 on a total.

    Each published line (row or column of the table with its totals) says that its cells
    add up to its last entry; the visible values are known, so only hidden cells remain.
    """
    if len(shape) == 1:
        lines = np.zeros(cells.size, dtype=np.int64)
        coef = np.where(cells == shape[0] - 1, -1.0, 1.0)
        return csr_matrix((coef, (lines, np.arange(cells.size))), shape=(1, cells.size))
    n_rows, n_cols = shape
    r, c = np.divmod(cells, n_cols)
    lines = np.concatenate([r, n_rows + c])
    coef = np.concatenate(
        [np.where(c == n_cols - 1, -1.0, 1.0), np.where(r == n_rows - 1, -1.0, 1.0)]
    )
    where = np.concatenate([np.arange(cells.size)] * 2)
    return csr_matrix((coef, (lines, where)), shape=(n_rows + n_cols, cells.size))


def recoverable_cells(
    display_mask: np.ndarray | pd.DataFrame | pd.Series, totals: bool = True
) -> np.ndarray:
    """Which hidden cells a reader can work out exactly from what is published.

    ``display_mask`` marks hidden cells (True) of the published table; when ``totals`` is
    True its last row and last column (last entry in 1-D) are the published totals. The
    visible values are known, so each line gives one linear equation in the hidden cells.
    A hidden cell is determined iff its unit vector lies in the row space of the equations
    restricted to hidden cells, i.e. its squared projection onto that row space is 1.
    """
    mask = np.asarray(display_mask, dtype=bool)
    out = np.zeros(mask.shape, dtype=bool)
    cells = np.flatnonzero(mask.ravel())
    if cells.size == 0 or not totals:
        return out
    a = _constraints(mask.shape, cells)
    # Row space of A from the eigenvectors of the small Gram matrix A A^T.
    w, u = np.linalg.eigh((a @ a.T).toarray())
    keep = w > 1e-9 * max(float(w.max()), 1.0)
    basis = (a.T @ u[:, keep]) / np.sqrt(w[keep])  # orthonormal columns spanning the row space
    determined = (basis**2).sum(axis=1) > 1 - 1e-8
    out.ravel()[cells[determined]] = True
    return out
