"""One public release per sensitive dataset, and every public figure read from it.

``public_release(engine, source)`` builds the release ONCE for the whole span: estates (plus
"Not in an estate") x every month, with every month total, estate total and the grand total,
protected by primary and complementary suppression over the whole table. Every public figure
of that source (Domestic abuse page, Priorities evidence, workshop evidence, the CLI and the
assessment report's public edition) is read from it with ``cell``, ``series`` and
``window_sum``: a visible cell or total, or a sum of visible cells. A window sum that covers a
hidden cell is not published at all (``None``), whatever the period end, so differencing two
period ends can never isolate a hidden month. Only the whole area and estates have rows:
any other layer (LSOA, ward, district ...) gets nothing (docs/methods.md, "Disclosure control").

Non-sensitive sources get ``Release.sensitive == False`` and callers show true counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from csp_dash.db import queries
from csp_dash.db.cube import ALL_LAYER, POLICE
from csp_dash.db.schema_partner import partner_datasets
from csp_dash.disclosure.release import (
    OUTSIDE,
    TOTAL,
    hidden_label,
    protect,
    release_table,
    threshold,
    visible_series,
)
from csp_dash.disclosure.suppression import SuppressedTable, is_sensitive

ESTATE = "estate"  # the estate layer (csp_dash.ingest.partner.cube.ESTATE_LAYER)
# Flag names that mark a sensitive subset even inside a dataset that is not sensitive.
SENSITIVE_FLAGS = ("domestic", "da", "sexual", "hate", "slavery", "modern slavery", "fgm")


def default_sensitive(theme: str, flags: list[str] | tuple = (), categories=()) -> bool:
    """Sensitive by default: the theme, a flag or a category names a sensitive theme."""
    names = [theme, *categories]
    return any(is_sensitive(n) for n in names) or any(flag_sensitive(f) for f in flags)


def flag_sensitive(flag: str) -> bool:
    return is_sensitive(flag) or is_sensitive(flag, SENSITIVE_FLAGS)


def source_sensitive(engine: Engine, source: str) -> bool:
    """Whether a cube source is sensitive: its dataset's stored flag (set at import), a
    sensitive flag subset (``dataset/flag``), or a sensitive category in it. police.uk is
    not (its categories are published nationally)."""
    if source == POLICE:
        return False
    dataset, _, flag = source.partition("/")
    if flag and flag_sensitive(flag):
        return True
    with engine.connect() as conn:
        row = conn.execute(
            select(partner_datasets.c.sensitive, partner_datasets.c.theme).where(
                partner_datasets.c.dataset == dataset
            )
        ).first()
    if row is not None and row.sensitive is not None:
        return bool(row.sensitive)
    cats = queries.cube_counts(engine, source=source, layer=ALL_LAYER, by=("category",))
    return default_sensitive(row.theme if row else "", categories=list(cats["category"]))


@dataclass(frozen=True)
class Release:
    """The public release of one cube source (see the module docstring).

    ``table``: true counts, rows = estate names and "Not in an estate", columns = months.
    ``protected``: the suppressed release (display strings with a "Total" row and column).
    ``names``: estate code -> row name.
    """

    source: str
    sensitive: bool
    table: pd.DataFrame
    protected: SuppressedTable
    names: dict[str, str]

    @property
    def months(self) -> list[pd.Timestamp]:
        return list(self.table.columns)

    @property
    def limit(self) -> int:
        return self.protected.threshold

    @property
    def label(self) -> str:
        return self.protected.label

    def row_for(self, layer: str, area: str | None) -> str | None:
        """The release row for an area: "Total" for the whole area, an estate's name; None
        for any other layer or area (nothing of it is public)."""
        if layer == ALL_LAYER:
            return TOTAL
        if layer == ESTATE and area in self.names:
            return self.names[area]
        return None

    def series(self, row: str) -> pd.Series:
        """A row (or "Total") over every month: true counts if not sensitive, else NaN where
        hidden."""
        if not self.sensitive:
            s = self.table.sum(axis=0) if row == TOTAL else self.table.loc[row]
            return s.astype(float)
        return visible_series(self.protected, row)

    def public_series(self, layer: str, area: str | None) -> pd.Series | None:
        """The monthly figures the public view shows for an area (NaN = hidden): the whole
        area, one estate, or every estate together (the total less "Not in an estate", a
        difference of released figures); None for any other layer."""
        if layer == ESTATE and not area:
            return self.series(TOTAL) - self.series(OUTSIDE)
        row = self.row_for(layer, area)
        return None if row is None else self.series(row)

    def cell(self, row: str, month) -> int | None:
        v = self.series(row).get(pd.Timestamp(month))
        return None if v is None or pd.isna(v) else int(v)

    def window_sum(self, row: str | None, start: date, end: date) -> int | None:
        """The sum of a row's months from start to end, or None when any of them is hidden
        (or the row is not public, or the window runs past the data)."""
        if row is None:
            return None
        s = self.series(row)
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
        part = s[(s.index >= lo) & (s.index <= hi)]
        if part.isna().any():
            return None
        return int(part.sum())

    def display(self) -> pd.DataFrame:
        """The release as published: estates x months with totals, hidden cells labelled."""
        if not self.sensitive:
            t = self.table.copy()
            t[TOTAL] = t.sum(axis=1)
            t.loc[TOTAL] = t.sum(axis=0)
            return t.map(lambda v: f"{int(v):,}")
        return self.protected.display

    def long(self) -> pd.DataFrame:
        """One row per published cell: estate, month ("Total" for the row total), value
        (the text as shown) and hidden (True where suppressed). For the CLI and documents."""
        d = self.display()
        hidden = (
            self.protected.hidden.reindex(index=d.index, columns=d.columns).fillna(False)
            if self.sensitive
            else pd.DataFrame(False, index=d.index, columns=d.columns)
        )
        rows = []
        for r in d.index:
            for c in d.columns:
                m = c if c == TOTAL else f"{pd.Timestamp(c):%Y-%m}"
                rows.append({"estate": r, "month": m, "value": d.at[r, c],
                             "hidden": bool(hidden.at[r, c])})
        return pd.DataFrame(rows, columns=["estate", "month", "value", "hidden"])


def public_release(
    engine: Engine,
    source: str,
    limit: int | None = None,
    label: str | None = None,
    sensitive: bool | None = None,
) -> Release:
    """The public release of a cube source (a partner dataset or ``dataset/flag`` subset).

    ``limit`` and ``label`` default to the ``disclosure_threshold`` and
    ``disclosure_label`` settings; ``sensitive`` to ``source_sensitive``.
    """
    limit = threshold() if limit is None else limit
    label = hidden_label(limit) if label is None else label
    rng = queries.month_range(engine, source)
    if rng is None:
        raise ValueError(f"no data loaded for {source!r}")
    months = pd.date_range(pd.Timestamp(rng[0]), pd.Timestamp(rng[1]), freq="MS")
    whole = queries.cube_counts(engine, source=source, layer=ALL_LAYER, by=("month",))
    whole = (
        whole.assign(month=pd.to_datetime(whole["month"])).groupby("month")["count"].sum()
        .reindex(months, fill_value=0).astype("int64")
    )
    by_estate = queries.cube_counts(engine, source=source, layer=ESTATE, by=("area", "month"))
    names = queries.area_options(engine, ESTATE)
    table = release_table(by_estate, whole, names)
    flag = source_sensitive(engine, source) if sensitive is None else sensitive
    return Release(source, flag, table, protect(table, limit, label), dict(names))


__all__ = ["OUTSIDE", "TOTAL", "Release", "public_release", "source_sensitive"]
