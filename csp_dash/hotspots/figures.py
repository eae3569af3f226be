"""Figures per area or cell: count, change on the comparison period, rate, harm and rank.

Every unit of the study area appears, with 0 where nothing was recorded: hotspot statistics
and concentration need the empty places too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from csp_dash.analysis.trends import change_stats, rate_per_1000
from csp_dash.harm import harm_totals

FIGURE_COLUMNS = [
    "count", "previous", "change", "pct", "z", "significant", "direction",
    "rate", "harm", "rank_count", "rank_rate", "rank_harm",
]  # fmt: skip


def _rank(values: pd.Series) -> pd.Series:
    """1 = highest; ties share the better rank; missing values are not ranked."""
    return values.rank(ascending=False, method="min").astype("Int64")


def unit_figures(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    units: pd.Index,
    harm_weights: pd.Series,
    population: pd.Series | None = None,
    comparable: bool = True,
) -> pd.DataFrame:
    """One row per unit in ``units`` (index ``code``) with FIGURE_COLUMNS.

    ``current``/``previous`` are long tables with columns area, category, count (area =
    the unit's code). ``population`` (per unit, residents or households) gives the rate
    per 1,000; without it the rate is missing. Change, %, z and direction come from
    ``trends.change_stats``; ``comparable=False`` (months with no data) withholds them.
    """
    units = pd.Index(units, name="code")
    cur = current.groupby("area")["count"].sum().reindex(units, fill_value=0).astype("int64")
    prev = previous.groupby("area")["count"].sum().reindex(units, fill_value=0).astype("int64")
    harm = harm_totals(current, harm_weights, by="area").reindex(units, fill_value=0.0)
    stats = change_stats(cur.to_numpy(), prev.to_numpy(), comparable)
    pop = population.reindex(units) if population is not None else pd.Series(np.nan, index=units)
    out = pd.DataFrame(
        {
            "count": cur,
            "previous": prev,
            **stats,
            "rate": rate_per_1000(cur.astype(float), pop.astype(float)),
            "harm": harm.astype(float),
        },
        index=units,
    )
    out["rank_count"] = _rank(out["count"].astype(float))
    out["rank_rate"] = _rank(out["rate"])
    out["rank_harm"] = _rank(out["harm"])
    return out


def outside_summary(current: pd.DataFrame, units: pd.Index) -> dict[str, int]:
    """Records whose area code is not one of the study area's units (e.g. police.uk map
    points over the force boundary): how many codes, how many records."""
    if current.empty:
        return {"areas": 0, "count": 0}
    # get_indexer hashes object keys: Series.isin on Arrow strings is slow for 100k rows.
    outside = pd.Index(units, dtype=object).get_indexer(current["area"].to_numpy(object)) < 0
    extra = current[outside]
    return {"areas": int(extra["area"].nunique()), "count": int(extra["count"].sum())}


def month_matrix(df: pd.DataFrame, units: pd.Index, months: Sequence) -> pd.DataFrame:
    """Units x months counts from a long month/area/count table, zeros where nothing recorded
    (rows of other units or months left out). Summed by position: a pivot cost ten times as much."""
    cols = pd.DatetimeIndex(pd.to_datetime(list(months)))
    out = np.zeros((len(units), len(cols)), dtype="int64")
    if len(df):
        row = pd.Index(units, dtype=object).get_indexer(df["area"].to_numpy(object))
        col = cols.get_indexer(pd.DatetimeIndex(df["month"]).as_unit(cols.unit))
        ok = (row >= 0) & (col >= 0)
        np.add.at(out, (row[ok], col[ok]), df["count"].to_numpy("int64")[ok])
    return pd.DataFrame(out, index=units, columns=cols)
