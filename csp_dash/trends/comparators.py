"""Set local figures beside imported comparators (England and Wales, peers) as rates or an index.

Comparators may hold monthly or annual rows. A 12-month figure for a comparator exists only
where its rows for that area tile the 12 months exactly (no month missing, none outside);
otherwise it is left blank, never estimated. The rate uses the population of the latest row
in the window; the index is the 12-month count as a percentage of the first year shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from csp_dash.analysis.trends import complete_months, rate_per_1000, year_windows
from csp_dash.db.schema_trends import comparison

LOCAL = "local"


def comparison_areas(engine: Engine) -> pd.DataFrame:
    """One row per comparator: area, first and last month, rows, has_population, source_file."""
    c = comparison.c
    stmt = (
        select(
            c.area,
            func.min(c.period_start).label("first_month"),
            func.max(c.period_end).label("last_month"),
            func.count().label("rows"),
            func.count(c.population).label("rows_with_population"),
            func.max(c.source_file).label("source_file"),
        )
        .group_by(c.area)
        .order_by(c.area)
    )
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["has_population"] = df.pop("rows_with_population") > 0
    for col in ("first_month", "last_month"):
        df[col] = pd.to_datetime(df[col])
    return df


def comparison_categories(engine: Engine) -> pd.DataFrame:
    """Which categories each comparator holds: area, category."""
    c = comparison.c
    stmt = select(c.area, c.category).distinct().order_by(c.area, c.category)
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def lacking(
    held: pd.DataFrame, areas: Sequence[str], categories: Sequence[str]
) -> dict[str, list[str]]:
    """Per comparator, the selected categories it has no rows for (its totals leave them out)."""
    have = held.groupby("area")["category"].agg(set)
    out = {}
    for area in areas:
        gone = [c for c in categories if c not in have.get(area, set())]
        if gone:
            out[area] = gone
    return out


def comparison_periods(
    engine: Engine, areas: Sequence[str], categories: Sequence[str]
) -> pd.DataFrame:
    """Per area and period: the count over the given categories and the period's population."""
    c = comparison.c
    stmt = (
        select(
            c.area,
            c.period_start,
            c.period_end,
            func.sum(c.count).label("count"),
            func.max(c.population).label("population"),
        )
        .where(c.area.in_(list(areas)), c.category.in_(list(categories)))
        .group_by(c.area, c.period_start, c.period_end)
        .order_by(c.area, c.period_start)
    )
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    for col in ("period_start", "period_end"):
        df[col] = pd.to_datetime(df[col])
    df["count"] = df["count"].astype("int64")
    return df


def _months_between(first: pd.Timestamp, last: pd.Timestamp) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def twelve_month_totals(periods: pd.DataFrame, year_ends: Sequence[date]) -> pd.DataFrame:
    """area x year_end -> count and population, only where rows tile the 12 months exactly."""
    rows = []
    for area, g in periods.groupby("area", sort=True):
        span = [
            _months_between(s, e) for s, e in zip(g["period_start"], g["period_end"], strict=True)
        ]
        g = g.assign(months=span)
        for end in year_ends:
            first, last = (pd.Timestamp(d) for d in year_windows(end, 1)[0])
            inside = g[(g["period_start"] >= first) & (g["period_end"] <= last)]
            if int(inside["months"].sum()) != 12:
                continue
            pop = inside.sort_values("period_end")["population"].dropna()
            rows.append(
                {
                    "area": area,
                    "year_end": pd.Timestamp(end),
                    "count": int(inside["count"].sum()),
                    "population": float(pop.iloc[-1]) if len(pop) else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=["area", "year_end", "count", "population"])


def local_totals(
    monthly: pd.Series, year_ends: Sequence[date], population: float | None, label: str
) -> pd.DataFrame:
    """The local 12-month totals at each year end (NaN where a month in the window is missing,
    so a chart breaks its line there rather than joining across the gap)."""
    full = complete_months(monthly)
    rolled = full.rolling(12, min_periods=12).sum()
    ends = [pd.Timestamp(e) for e in year_ends]
    counts = rolled.reindex(ends)
    return pd.DataFrame(
        {
            "area": label,
            "year_end": ends,
            "count": counts.to_numpy(),
            "population": np.nan if population is None else float(population),
        }
    )


def compare(local: pd.DataFrame, others: pd.DataFrame) -> pd.DataFrame:
    """Long table: area, year_end, count, population, rate (per 1,000) and index (first = 100).

    ``local`` and ``others`` come from ``local_totals`` and ``twelve_month_totals``. The
    index base is each area's first year end in the table, so lines start together at 100.
    """
    both = pd.concat(
        [local.assign(is_local=True), others.assign(is_local=False)], ignore_index=True
    )
    if both.empty:
        return both.assign(rate=pd.Series(dtype=float), index=pd.Series(dtype=float))
    both = both.sort_values(["is_local", "area", "year_end"], ascending=[False, True, True])
    both["rate"] = rate_per_1000(both["count"], both["population"])
    base = both.groupby("area", sort=False)["count"].transform(
        lambda s: s.dropna().iloc[0] if s.notna().any() else np.nan
    )
    both["index"] = np.where(base > 0, both["count"] / base * 100.0, np.nan)
    return both.reset_index(drop=True)


def compare_windows(table: pd.DataFrame, windows: dict[str, date]) -> pd.DataFrame:
    """Rates and change per area for named year ends, e.g. {"Latest 12 months": end, ...}.

    Each row: area, window, year_end, count, rate, previous (the year before), change_pct and
    the local rate as a ratio of the area's rate.
    """
    out = []
    for name, end in windows.items():
        end_ts = pd.Timestamp(end)
        prev_ts = end_ts - pd.DateOffset(months=12)
        for area, g in table.groupby("area", sort=False):
            row = g[(g["year_end"] == end_ts) & g["count"].notna()]
            if row.empty:
                continue
            prev = g[(g["year_end"] == prev_ts) & g["count"].notna()]
            count = float(row["count"].iloc[0])
            previous = float(prev["count"].iloc[0]) if len(prev) else np.nan
            out.append(
                {
                    "area": area,
                    "window": name,
                    "year_end": end_ts,
                    "count": count,
                    "rate": float(row["rate"].iloc[0]),
                    "previous": previous,
                    "change_pct": (count - previous) / previous * 100.0
                    if previous and previous > 0
                    else np.nan,
                    "is_local": bool(row["is_local"].iloc[0]),
                }
            )
    df = pd.DataFrame(
        out,
        columns=[
            "area",
            "window",
            "year_end",
            "count",
            "rate",
            "previous",
            "change_pct",
            "is_local",
        ],
    )
    local_rate = df[df["is_local"]].set_index("window")["rate"]
    df["local_vs_area"] = df["window"].map(local_rate) / df["rate"]
    return df
