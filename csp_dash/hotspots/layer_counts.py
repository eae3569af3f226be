"""A layer's cube counts for hotspot windows: read from the database per window, or held in
memory when the layer's cube rows are few (docs/architecture.md, "Hotspot counts held").

A Hotspots view reads three windows of one layer (this period and the one compared, by area
and category; this period by month and area). With a district declared the layer's cube rows
are a few tens of thousands, so the page reads them once per data version and sums windows in
memory; a layer above ``config.held_count_rows()`` (a national load without a district) is read
per window as before. Both give the same frame (tests/hotspots/test_hotspots_district.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from csp_dash import config
from csp_dash.analysis.trends import Window
from csp_dash.db import queries
from csp_dash.db.cube import POLICE
from csp_dash.db.schema import cube


@dataclass(frozen=True)
class CubeCounts:
    """Each window read from the cube (the database does the sums)."""

    engine: Engine
    layer: str

    def window(self, win: Window, categories: Sequence[str] | None = None,
               by: Sequence[str] = ("area", "category")) -> pd.DataFrame:
        """Counts for one window, grouped by ``by`` (categories None = every category)."""
        return queries.cube_counts(
            self.engine, layer=self.layer, by=tuple(by),
            categories=list(categories) if categories is not None else None,
            start=win[0], end=win[1],
        )  # fmt: skip


@dataclass(frozen=True)
class HeldCounts:
    """Every cube row of one layer (month, area, category, count), summed here per window.
    Read-only once built: a cache shares one between sessions."""

    layer: str
    rows: pd.DataFrame  # month datetime64[s]; area, category categorical (sorted); count int64

    @classmethod
    def read(cls, engine: Engine, layer: str, source: str = POLICE) -> HeldCounts:
        df = queries.cube_counts(engine, layer=layer, by=("month", "area", "category"),
                                 source=source)
        rows = pd.DataFrame({
            "month": df["month"].to_numpy("datetime64[s]"),
            # Sorted categories: grouping sorts as the database's ORDER BY does.
            "area": pd.Categorical(df["area"].to_numpy(object),
                                   categories=np.sort(df["area"].unique().astype(object))),
            "category": pd.Categorical(df["category"].to_numpy(object),
                                       categories=np.sort(df["category"].unique().astype(object))),
            "count": df["count"].to_numpy("int64"),
        })  # fmt: skip
        return cls(layer, rows)

    def window(self, win: Window, categories: Sequence[str] | None = None,
               by: Sequence[str] = ("area", "category")) -> pd.DataFrame:
        """The same frame as ``CubeCounts.window``: only groups with rows, sorted by ``by``."""
        rows = self.rows
        months = rows["month"].to_numpy()
        keep = (months >= np.datetime64(win[0], "s")) & (months <= np.datetime64(win[1], "s"))
        if categories is not None:
            keep &= rows["category"].isin(list(categories)).to_numpy()
        out = rows.loc[keep, [*by, "count"]]
        out = out.groupby(list(by), observed=True, sort=True)["count"].sum().reset_index()
        for col in ("area", "category"):
            if col in out:
                out[col] = out[col].astype(object).astype("str")
        out["count"] = out["count"].astype("int64")
        return out


#: Either kind: each has ``layer`` and ``window(win, categories, by)``.
Counts = HeldCounts | CubeCounts


def layer_rows(engine: Engine, layer: str, source: str = POLICE) -> int:
    """How many cube rows the layer has: whether it is small enough to hold."""
    c = cube.c
    stmt = select(func.count()).select_from(cube).where(c.layer == layer, c.source == source)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def layer_counts(engine: Engine, layer: str) -> Counts:
    """The layer held in memory when it has at most ``config.held_count_rows()`` cube rows,
    else read per window."""
    if layer_rows(engine, layer) <= config.held_count_rows():
        return HeldCounts.read(engine, layer)
    return CubeCounts(engine, layer)
