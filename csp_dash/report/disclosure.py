"""The one door from the report to the disclosure rules: the same public release as every
public page (``disclosure.published.public_release``), so no figure of the public edition can
be set against a page's to recover a hidden cell (docs/methods.md, "Disclosure control")."""

from __future__ import annotations

from datetime import date

from csp_dash.disclosure.published import TOTAL, Release, public_release

NO_DATA = "no data"

__all__ = ["NO_DATA", "TOTAL", "Release", "public_release", "window_figure"]


def window_figure(rel: Release, row: str, window: tuple[date, date], public: bool) -> str:
    """A row's total over a window as text: the true sum for partners; for the public, the
    release's window sum (every month of it visible), else the hidden-cell label."""
    months = [m for m in rel.months if window[0] <= m.date() <= window[1]]
    n_wanted = (window[1].year - window[0].year) * 12 + window[1].month - window[0].month + 1
    if len(months) < n_wanted:
        return NO_DATA  # the dataset does not cover the whole window
    if not public or not rel.sensitive:
        values = rel.table.sum(axis=0) if row == TOTAL else rel.table.loc[row]
        return f"{int(values.reindex(months).sum()):,}"
    value = rel.window_sum(row, *window)
    return rel.label if value is None else f"{value:,}"
