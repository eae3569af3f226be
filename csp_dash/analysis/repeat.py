"""Repeat victimisation rate from a pseudonymous victim key (docs/methods.md, "Repeat victimisation").

Definition used (the common police one): a record is a *repeat* if the same victim has
another record in the ``window_days`` days BEFORE it, i.e. 1 to ``window_days`` days
earlier, both ends inclusive (365 days apart counts, 366 does not). The earlier record may
fall before the period: supply at least ``window_days`` of history before the period start,
or the rate is understated (``lookback_complete`` says whether the data reaches back).

A *repeat victim* is a victim with at least one repeat record in the period, and the
repeat rate is repeat victims / victims with any record in the period.

Same-day records do not make a repeat by default: two records for one victim on one day
are usually one incident recorded as several crimes (or a duplicate), and counting them
would inflate the rate. Pass ``same_day_counts=True`` to count them. Dates are compared as
calendar days (any time of day is dropped).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

DateLike = str | dt.date | pd.Timestamp


def _day(value: DateLike) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        raise ValueError(f"not a date: {value!r}")
    return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()


def repeat_rate(
    records: pd.DataFrame,
    *,
    period: tuple[DateLike, DateLike],
    window_days: int = 365,
    same_day_counts: bool = False,
) -> dict[str, Any]:
    """Share of victims with a record in ``period`` (inclusive) who are repeat victims.

    ``records`` has columns ``victim_key`` and ``date``. Returns a dict with ``victims``,
    ``repeat_victims``, ``repeat_rate`` (NaN when there are no victims), ``records`` (in the
    period, with a key), ``repeat_records`` (period records that are repeats),
    ``repeat_victim_records`` (period records of repeat victims), ``records_without_key``
    (period records that cannot be linked), ``records_without_date`` (dropped),
    ``lookback_complete`` and the ``window_days`` and ``period`` used.
    """
    missing = {"victim_key", "date"} - set(records.columns)
    if missing:
        raise ValueError(f"records lack columns: {sorted(missing)}")
    if int(window_days) != window_days or window_days < 1:
        raise ValueError("window_days must be a whole number of at least 1")
    start, end = _day(period[0]), _day(period[1])
    if end < start:
        raise ValueError("the period ends before it starts")

    # Strings must be ISO dates (ingest converts partner formats); others count as no date.
    dates = records["date"]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        dates = pd.to_datetime(dates, format="ISO8601", errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    frame = pd.DataFrame(
        {"victim_key": records["victim_key"].to_numpy(), "day": dates.dt.normalize()}
    )
    no_date = frame["day"].isna()
    frame = frame[~no_date]
    no_key = frame["victim_key"].isna()
    linked = frame[~no_key].copy()

    # Gap to the nearest earlier record of the same victim: the nearest is enough, since
    # a repeat needs just one record in the window. Default: compare distinct days only.
    linked = linked.sort_values("day", kind="stable")  # keys need not be sortable
    days = linked if same_day_counts else linked.drop_duplicates(["victim_key", "day"])
    gap = (days["day"] - days.groupby("victim_key", sort=False)["day"].shift()).dt.days
    is_repeat = gap.le(window_days).to_numpy()  # NaN (first record) compares False
    if same_day_counts:
        # n records on one day: the 2nd to nth are repeats (order within a day is unknown).
        linked["repeat"] = is_repeat
    else:
        flags = days[["victim_key", "day"]].assign(repeat=is_repeat)
        linked = linked.merge(flags, on=["victim_key", "day"], how="left")
    linked["in_period"] = linked["day"].between(start, end)
    current = linked[linked["in_period"]]

    victims = current["victim_key"].nunique()
    repeat_keys = set(current.loc[current["repeat"], "victim_key"])
    n_repeat = len(repeat_keys)
    return {
        "victims": int(victims),
        "repeat_victims": int(n_repeat),
        "repeat_rate": n_repeat / victims if victims else float("nan"),
        "records": len(current),
        "repeat_records": int(current["repeat"].sum()),
        "repeat_victim_records": int(current["victim_key"].isin(repeat_keys).sum()),
        "records_without_key": int((frame["day"].between(start, end) & no_key).sum()),
        "records_without_date": int(no_date.sum()),
        "lookback_complete": bool(
            len(frame) and frame["day"].min() <= start - pd.Timedelta(days=int(window_days))
        ),
        "window_days": int(window_days),
        "period": (start, end),
    }
