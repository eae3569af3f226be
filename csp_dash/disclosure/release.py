"""The public (presentation) view of domestic abuse figures: one protected release table.

Every count the public view shows comes from ONE table per dataset, estates (plus "Not in an
estate") x every month, protected by csp_dash.disclosure.suppression (primary and secondary suppression
with row, column and grand totals). A figure is shown only if it is a visible cell or total
of that table, or a sum of visible ones: so the chart, the tiles and the estate table can
never be set against each other to recover a hidden cell. Figures from another dimension
(DA violence, repeat victims) are single counts and are hidden when below the threshold, or
when their complement within a shown total is.

The hidden-cell label. disclosure.py hides primary cells and complements alike, so one label
must be true of both and must not tell them apart: "<5" alone would be false on a complement
holding 37, and a separate complement label would point at the primary cells. The default,
"<5 or suppressed" (the threshold filled in), is true of every hidden cell, shows the
threshold as the issue asks, and never reads as 0. Set CSP_DASH_DISCLOSURE_LABEL (or
``disclosure_label`` in .streamlit/secrets.toml) to change it; "{threshold}" is filled in.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from csp_dash import config
from csp_dash.disclosure.suppression import SuppressedTable, suppress_table

OUTSIDE = "Not in an estate"
TOTAL = "Total"
PUBLIC_LAYERS = ("all", "estate")  # other layers could be differenced against estates


def threshold() -> int:
    """The configured disclosure threshold (default 5)."""
    value = int(config.get("disclosure_threshold"))
    if value < 1:
        raise ValueError("disclosure_threshold must be at least 1")
    return value


def label_template() -> str:
    return config.get("disclosure_label")


def hidden_label(limit: int, template: str | None = None) -> str:
    """The text every hidden cell shows, e.g. "<5 or suppressed"."""
    return (template or label_template()).replace("{threshold}", str(limit))


def is_small(n: int | float | None, limit: int) -> bool:
    """A count the public view must not show: 1 to limit - 1 (0 is shown, ONS practice)."""
    return n is not None and not pd.isna(n) and 0 < n < limit


def public_count(n: int | None, limit: int, label: str) -> str:
    if n is None:
        return "n/a"
    return label if is_small(n, limit) else f"{int(n):,}"


def release_table(
    by_estate: pd.DataFrame,
    whole: pd.Series,
    names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Estates x months counts with a "Not in an estate" row, so columns add to ``whole``.

    ``by_estate`` is a cube table (area, month, count); ``whole`` the whole-area monthly
    series (its index fixes the months). Estates appear by name, every estate in ``names``.
    """
    months = whole.index
    wide = (
        by_estate.assign(month=pd.to_datetime(by_estate["month"])).pivot_table(
            index="area", columns="month", values="count", aggfunc="sum"
        )
        if len(by_estate)
        else pd.DataFrame(index=pd.Index([], name="area"))
    )
    codes = sorted(set(wide.index) | set(names or {}), key=lambda c: ((names or {}).get(c, c), c))
    wide = wide.reindex(index=codes, columns=months).fillna(0).astype("int64")
    outside = whole.astype("int64") - wide.sum(axis=0)
    if (outside < 0).any():
        raise ValueError("estate counts exceed the whole-area counts")
    wide.index = [(names or {}).get(c, c) for c in wide.index]
    wide.loc[OUTSIDE] = outside.to_numpy()
    wide.index.name, wide.columns.name = "Estate", "Month"
    return wide


def protect(table: pd.DataFrame, limit: int, label: str) -> SuppressedTable:
    """Primary and secondary suppression with all totals published."""
    return suppress_table(table, limit, with_totals=True, label=label)


def visible_sum(released: SuppressedTable, row: str, months: Iterable) -> int | None:
    """The sum of a row's cells over some months, or None if any of them is hidden.

    ``row`` may be "Total" (the published column totals).
    """
    cols = list(months)
    if not cols:
        return 0
    if released.hidden.loc[row, cols].any():
        return None
    values = released.column_totals if row == TOTAL else None
    if values is None:
        return int(pd.to_numeric(released.display.loc[row, cols].str.replace(",", "")).sum())
    return int(values.loc[cols].sum())


def visible_series(released: SuppressedTable, row: str) -> pd.Series:
    """A row (or "Total") of the release over every month, NaN where hidden."""
    months = [c for c in released.display.columns if c != TOTAL]
    text = released.display.loc[row, months]
    values = pd.to_numeric(text.str.replace(",", ""), errors="coerce")
    return values.where(~released.hidden.loc[row, months]).astype(float)


def period_view(released: SuppressedTable, months: list, label: str) -> pd.DataFrame:
    """The release's columns for the chosen months plus a period total per row (shown only
    when every cell it adds up is visible), for display. Rows: estates, then "Total"."""
    view = released.display.loc[:, months].copy()
    totals = []
    for row in view.index:
        s = visible_sum(released, row, months)
        totals.append(label if s is None else f"{s:,}")
    view.columns = [f"{pd.Timestamp(m):%b %Y}" for m in months]
    view["Period total"] = totals
    return view


def true_view(table: pd.DataFrame, months: list) -> pd.DataFrame:
    """The analyst's version of ``period_view``: true counts, with totals."""
    view = table.loc[:, months].copy()
    view.loc[TOTAL] = view.sum(axis=0)
    view.columns = [f"{pd.Timestamp(m):%b %Y}" for m in months]
    view["Period total"] = view.sum(axis=1)
    return view.astype("int64")


def _equations(hidden: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The published table's line equations restricted to its hidden cells (last row and
    column are the totals): +1 on a cell, -1 on the line's total."""
    cells = list(zip(*np.nonzero(hidden), strict=True))
    n_rows, n_cols = hidden.shape
    a = np.zeros((n_rows + n_cols, len(cells)))
    for k, (r, c) in enumerate(cells):
        a[r, k] = -1.0 if c == n_cols - 1 else 1.0
        a[n_rows + c, k] = -1.0 if r == n_rows - 1 else 1.0
    return a, cells


def extra_sums_safe(released: SuppressedTable, sums: list[tuple[str, list]]) -> bool:
    """True if publishing these extra sums (row, months) leaves every hidden cell of the
    release unrecoverable: each sum is one more equation over the hidden cells it covers.

    A hidden cell is recoverable iff its unit vector lies in the row space of the equations;
    checked with an SVD of the (few hundred) equations over the hidden cells.
    """
    hidden = released.hidden.to_numpy()
    a, cells = _equations(hidden)
    if not cells:
        return True
    rows, cols = list(released.hidden.index), list(released.hidden.columns)
    index = {cell: k for k, cell in enumerate(cells)}
    extra = []
    for row, months in sums:
        line = np.zeros(len(cells))
        r = rows.index(row)
        for m in months:
            k = index.get((r, cols.index(m)))
            if k is not None:
                line[k] = 1.0
        extra.append(line)
    full = np.vstack([a, *extra]) if extra else a
    _, s, vt = np.linalg.svd(full, full_matrices=False)
    basis = vt[s > 1e-9 * max(float(s.max(initial=0.0)), 1.0)]
    determined = (basis**2).sum(axis=0) > 1 - 1e-8
    return not determined.any()
