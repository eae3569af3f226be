"""Trend statistics: year-on-year change with Poisson significance, rolling totals, rates.

The one home of the comparison arithmetic: ``change_stats`` gives change, %, Poisson z,
significance and direction for every page, export and command; ``year_on_year`` applies it
per key and withholds it when a window has months with no data. Methods (docs/methods.md,
"Trends"):

- year-on-year change is the absolute change and the %, flagged significant where the
  Poisson z = 2(sqrt(current) - sqrt(previous)) has |z| > 2 (Wheeler);
- rolling 12-month totals treat a missing month as missing, never as zero;
- rates are per 1,000 residents (or households, for burglary, where the caller passes them).

Periods are ``(first_month, last_month)`` tuples of first-of-month dates, both inclusive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from csp_dash.analysis.periods import Window, missing_months

#: |z| above this is a significant change (Wheeler's rule of thumb for Poisson counts).
Z_THRESHOLD = 2.0

YOY_COLUMNS = ["current", "previous", "change", "pct", "z", "significant", "direction"]
#: The direction of a comparison that is not made, because a window has months with no data.
NOT_COMPARABLE = "no comparison (months missing)"
INCREASE, DECREASE, NO_CHANGE = "increase", "decrease", "no significant change"
BURGLARY = "Burglary"


def poisson_z(current, previous):
    """Poisson significance z = 2(sqrt(current) - sqrt(previous)), vectorised.

    Returns a float for two scalars, else an ndarray. Counts must be non-negative.
    """
    cur = np.asarray(current, dtype=float)
    prev = np.asarray(previous, dtype=float)
    if np.any(cur < 0) or np.any(prev < 0):
        raise ValueError("counts must be non-negative")
    z = 2.0 * (np.sqrt(cur) - np.sqrt(prev))
    if z.ndim == 0:
        return float(z)
    return z


def _month(value) -> pd.Timestamp:
    """First of the month for a date, Timestamp or 'YYYY-MM[-DD]' string."""
    ts = pd.Timestamp(value)
    return pd.Timestamp(year=ts.year, month=ts.month, day=1)


def _in_window(months: pd.Series, window: Window) -> pd.Series:
    first, last = _month(window[0]), _month(window[1])
    if last < first:
        raise ValueError(f"window ends before it starts: {window}")
    return (months >= first) & (months <= last)


def change_stats(current, previous, comparable: bool = True) -> dict[str, np.ndarray]:
    """Change, %, Poisson z, significance and direction of ``current`` against ``previous``.

    Vectorised over arrays of counts. pct is NaN where previous is 0. Where ``comparable`` is
    False (a window has months with no data), change, pct and z are NaN, nothing is
    significant and the direction is ``NOT_COMPARABLE``: no change is claimed across a gap.
    """
    cur = np.atleast_1d(np.asarray(current, dtype=float))
    prev = np.atleast_1d(np.asarray(previous, dtype=float))
    change = cur - prev
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(prev > 0, change / np.where(prev > 0, prev, 1.0) * 100.0, np.nan)
    z = np.asarray(poisson_z(cur, prev), dtype=float).reshape(cur.shape)
    significant = np.abs(z) > Z_THRESHOLD
    direction = np.where(significant & (change > 0), INCREASE,
                         np.where(significant & (change < 0), DECREASE, NO_CHANGE)).astype(object)
    if not comparable:
        nan = np.full(cur.shape, np.nan)
        change, pct, z = nan, nan.copy(), nan.copy()
        significant = np.zeros(cur.shape, dtype=bool)
        direction = np.full(cur.shape, NOT_COMPARABLE, dtype=object)
    return {"change": change, "pct": pct, "z": z, "significant": significant.astype(bool),
            "direction": direction}


def year_on_year(
    counts: pd.DataFrame,
    key: str,
    current: Window,
    previous: Window,
    *,
    keys: Iterable | None = None,
    loaded: Iterable | None = None,
) -> pd.DataFrame:
    """Compare two periods per key (category, theme, estate ...).

    ``counts`` is a long table with columns ``month`` (first of month), ``key`` and
    ``count``. Returns one row per key with columns ``key``, current, previous, change,
    pct (NaN where previous is 0), z, significant and direction (see ``change_stats``).
    Keys listed in ``keys`` but absent from both periods appear with 0/0. Rows are sorted
    by key.

    ``loaded`` lists the months with data loaded for the source. Months of either window
    not in it are gaps: ``result.attrs["missing_months"]`` lists them and the comparison is
    withheld. Without ``loaded``, a month with no rows at all in ``counts`` is a gap.
    """
    missing = {"month", key, "count"} - set(counts.columns)
    if missing:
        raise ValueError(f"counts lacks columns: {sorted(missing)}")
    months = pd.to_datetime(counts["month"]).dt.to_period("M").dt.to_timestamp()
    totals = {}
    for name, window in (("current", current), ("previous", previous)):
        inside = _in_window(months, window)
        totals[name] = counts.loc[inside].groupby(key, sort=False)["count"].sum()
    table = pd.DataFrame(totals)
    if keys is not None:
        table = table.reindex(table.index.union(pd.Index(list(keys)), sort=False))
    table = table.fillna(0).sort_index()
    if pd.api.types.is_integer_dtype(counts["count"]):
        table = table.astype("int64")
    table.index.name = key
    gaps = (missing_months((current, previous), loaded) if loaded is not None
            else _gaps(months, (current, previous)))
    stats = change_stats(table["current"], table["previous"], comparable=not gaps)
    out = pd.DataFrame({key: table.index.to_numpy(), "current": table["current"].to_numpy(),
                        "previous": table["previous"].to_numpy(), **stats})
    if not gaps and pd.api.types.is_integer_dtype(table["current"]):
        out["change"] = (table["current"] - table["previous"]).to_numpy()  # keeps integer counts
    out.attrs["missing_months"] = gaps
    return out


def _gaps(months: pd.Series, windows: Iterable[Window]) -> list[date]:
    """Months inside the windows that have no rows at all."""
    seen = set(months.dropna().unique())
    gaps: list[date] = []
    for first, last in windows:
        for m in pd.date_range(_month(first), _month(last), freq="MS"):
            if m not in seen:
                gaps.append(m.date())
    return sorted(set(gaps))


def _monthly_index(index: pd.Index) -> pd.DatetimeIndex:
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    idx = pd.DatetimeIndex(pd.to_datetime(index))
    return idx.to_period("M").to_timestamp()


def complete_months(monthly: pd.Series) -> pd.Series:
    """Reindex a monthly series to every month from its first to its last (gaps become NaN)."""
    if monthly.empty:
        return monthly.astype(float)
    idx = _monthly_index(monthly.index)
    if idx.has_duplicates:
        raise ValueError("monthly series has more than one value for a month")
    s = pd.Series(monthly.to_numpy(dtype=float), index=idx, name=monthly.name).sort_index()
    full = pd.date_range(s.index.min(), s.index.max(), freq="MS")
    return s.reindex(full)


def rolling_12(monthly: pd.Series) -> pd.Series:
    """Rolling 12-month total, NaN until 12 actual months are in the window.

    The series is first reindexed to a complete monthly range, so a missing month makes
    every window containing it NaN rather than silently counting it as zero.
    """
    return complete_months(monthly).rolling(12, min_periods=12).sum()


def rate_per_1000(count, population):
    """Count per 1,000 population; NaN where the population is missing or not positive."""
    cnt = np.asarray(count, dtype=float)
    pop = np.asarray(population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(pop > 0, cnt / pop * 1000.0, np.nan)
    if rate.ndim == 0:
        return float(rate)
    if isinstance(count, pd.Series):
        return pd.Series(rate, index=count.index, name=count.name)
    return rate


def rate_base(categories: Sequence[str], residents: float | None,
              households: float | None) -> tuple[float | None, str]:
    """The one rule for a rate's denominator: households for burglary alone, else residents.

    Returns (denominator, label); the denominator is None where no population is loaded.
    """
    if list(categories) == [BURGLARY] and households:
        return float(households), "per 1,000 households"
    if residents:
        return float(residents), "per 1,000 residents"
    return None, "no population loaded for this area"


def _shift(month: pd.Timestamp, months: int) -> date:
    return (month + pd.DateOffset(months=months)).date()


def year_windows(year_end_month, years: int = 2) -> list[Window]:
    """Successive 12-month windows ending at ``year_end_month``, most recent first.

    ``year_windows(date(2025, 3, 1), 3)`` gives the financial years 2024/25, 2023/24 and
    2022/23 as ``(first_month, last_month)`` tuples.
    """
    if years < 1:
        raise ValueError("years must be at least 1")
    end = _month(year_end_month)
    return [(_shift(end, -12 * k - 11), _shift(end, -12 * k)) for k in range(years)]


