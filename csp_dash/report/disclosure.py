"""The one door from the report to the disclosure rules (switch here when they change).

``public_release`` protects an estates x months table the way the Domestic abuse page's
public view does (``disclosure.release``: primary and secondary suppression, totals
published). LEAD: when issue 11's ``public_release`` lands, call it from this function only.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from csp_dash.disclosure.release import (
    TOTAL,
    hidden_label,
    is_small,
    protect,
    release_table,
    threshold,
    visible_sum,
)
from csp_dash.disclosure.suppression import SuppressedTable

NO_DATA = "no data"

__all__ = ["NO_DATA", "TOTAL", "Release", "public_release", "release_for", "window_figure"]


class Release:
    """A partner dataset's true estates x months table and its protected public release."""

    def __init__(self, table: pd.DataFrame, released: SuppressedTable, limit: int, label: str):
        self.table, self.released, self.limit, self.label = table, released, limit, label

    @property
    def rows(self) -> list[str]:
        return list(self.table.index)


def public_release(table: pd.DataFrame) -> tuple[SuppressedTable, int, str]:
    """The protected release of a table, the threshold and the hidden-cell label."""
    limit = threshold()
    label = hidden_label(limit)
    return protect(table, limit, label), limit, label


def release_for(by_estate: pd.DataFrame, whole: pd.Series, names: dict[str, str]) -> Release:
    table = release_table(by_estate, whole, names)
    released, limit, label = public_release(table)
    return Release(table, released, limit, label)


def window_figure(rel: Release, row: str, months: Sequence, public: bool) -> str:
    """A row's total over some months as text: the true sum for partners; for the public,
    the sum only when every month it adds up is visible (else the hidden label)."""
    cols = [pd.Timestamp(m) for m in months]
    if not set(cols) <= set(rel.table.columns):
        return NO_DATA  # the dataset does not cover the whole window
    if not public:
        source = rel.table.sum(axis=0) if row == TOTAL else rel.table.loc[row]
        return f"{int(source.reindex(cols).fillna(0).sum()):,}"
    value = visible_sum(rel.released, row, cols)
    if value is None or is_small(value, rel.limit):
        return rel.label
    return f"{value:,}"
