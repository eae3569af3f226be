"""Repeat victimisation rate: window edges, same-day records, look-back and a brute-force check."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from csp_dash.analysis.repeat import repeat_rate

PERIOD = ("2024-01-01", "2024-12-31")


def recs(rows: list[tuple[object, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["victim_key", "date"])


def test_window_edges_365_counts_366_does_not() -> None:
    # 2023-01-01 -> 2024-01-01 is 365 days (2023 is not a leap year): a repeat.
    # 2023-01-01 -> 2024-01-02 is 366 days: not a repeat.
    # 2024-01-01 -> 2024-12-31 is 365 days (2024 is a leap year): a repeat.
    # 2023-12-31 -> 2024-12-31 is 366 days: D's second record is not a repeat, but D's
    #   first record (2023-12-31) is outside the period, so D has one record in the period.
    data = recs(
        [
            ("A", "2023-01-01"),
            ("A", "2024-01-01"),
            ("B", "2023-01-01"),
            ("B", "2024-01-02"),
            ("C", "2024-01-01"),
            ("C", "2024-12-31"),
            ("D", "2023-12-31"),
            ("D", "2024-12-31"),
        ]
    )
    out = repeat_rate(data, period=PERIOD)
    # In the period: A(1 record), B(1), C(2), D(1) -> 4 victims, 5 records.
    # Repeats: A's 2024-01-01, C's 2024-12-31 -> victims A and C.
    assert out["victims"] == 4
    assert out["repeat_victims"] == 2
    assert out["repeat_rate"] == pytest.approx(0.5)
    assert out["records"] == 5
    assert out["repeat_records"] == 2
    assert out["repeat_victim_records"] == 3  # A's one + C's two


def test_window_is_configurable() -> None:
    data = recs(
        [("A", "2024-03-01"), ("A", "2024-03-31"), ("B", "2024-03-01"), ("B", "2024-04-01")]
    )
    out = repeat_rate(data, period=PERIOD, window_days=30)
    assert out["repeat_victims"] == 1  # A: 30 days apart; B: 31 days apart
    assert repeat_rate(data, period=PERIOD, window_days=31)["repeat_victims"] == 2


def test_same_day_records_are_not_repeats_by_default() -> None:
    data = recs([("A", "2024-05-01"), ("A", "2024-05-01 18:30"), ("B", "2024-05-01")])
    out = repeat_rate(data, period=PERIOD)
    assert out["victims"] == 2
    assert out["repeat_victims"] == 0
    assert out["records"] == 3
    counted = repeat_rate(data, period=PERIOD, same_day_counts=True)
    assert counted["repeat_victims"] == 1
    assert counted["repeat_records"] == 1  # the second of A's two same-day records
    assert counted["repeat_rate"] == pytest.approx(0.5)


def test_same_day_pair_after_an_earlier_record() -> None:
    # A: 2024-02-01, then two records on 2024-03-01. By default both March records share
    # the earlier February record within the window: 2 repeat records.
    data = recs([("A", "2024-02-01"), ("A", "2024-03-01"), ("A", "2024-03-01")])
    assert repeat_rate(data, period=PERIOD)["repeat_records"] == 2


def test_window_looks_back_before_period_not_forward() -> None:
    data = recs(
        [
            ("A", "2023-06-01"),  # before the period, within 365 days of A's next record
            ("A", "2024-02-01"),
            ("B", "2024-11-01"),
            ("B", "2025-02-01"),  # after the period: does not make B a repeat victim
        ]
    )
    out = repeat_rate(data, period=PERIOD)
    assert out["victims"] == 2
    assert out["repeat_victims"] == 1
    assert out["records"] == 2
    assert out["lookback_complete"] is False  # earliest record 2023-06-01 > 2023-01-01


def test_lookback_complete_flag() -> None:
    data = recs([("A", "2023-01-01"), ("B", "2024-02-01")])
    assert repeat_rate(data, period=PERIOD)["lookback_complete"] is True


def test_missing_keys_and_dates_are_counted_not_linked() -> None:
    data = recs([("A", "2024-01-05"), (None, "2024-01-06"), (None, "2024-01-07"), ("A", None)])
    out = repeat_rate(data, period=PERIOD)
    assert out["victims"] == 1
    assert out["records"] == 1
    assert out["repeat_victims"] == 0
    assert out["records_without_key"] == 2
    assert out["records_without_date"] == 1


def test_no_victims_gives_nan_rate() -> None:
    out = repeat_rate(recs([("A", "2020-01-01")]), period=PERIOD)
    assert out["victims"] == 0 and math.isnan(out["repeat_rate"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"period": ("2024-12-31", "2024-01-01")},
        {"period": PERIOD, "window_days": 0},
        {"period": PERIOD, "window_days": 1.5},
    ],
)
def test_bad_arguments(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        repeat_rate(recs([("A", "2024-01-01")]), **kwargs)


def test_missing_columns() -> None:
    with pytest.raises(ValueError, match="victim_key"):
        repeat_rate(pd.DataFrame({"date": ["2024-01-01"]}), period=PERIOD)


def brute_force(data: pd.DataFrame, start: str, end: str, window: int, same_day: bool) -> dict:
    """Reference: compare every in-period record with every other record of its victim."""
    days = pd.to_datetime(data["date"]).dt.normalize()
    keys = data["victim_key"].tolist()
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    # Order within a day is the row order, as in the module (stable sort by day).
    order = sorted(range(len(data)), key=lambda i: (days[i], i))
    rank = {i: n for n, i in enumerate(order)}
    victims, repeaters, n_records, n_repeat = set(), set(), 0, 0
    for i in range(len(data)):
        if not lo <= days[i] <= hi:
            continue
        victims.add(keys[i])
        n_records += 1
        hit = False
        for j in range(len(data)):
            if j == i or keys[j] != keys[i]:
                continue
            gap = (days[i] - days[j]).days
            if 1 <= gap <= window or (same_day and gap == 0 and rank[j] < rank[i]):
                hit = True
        if hit:
            repeaters.add(keys[i])
            n_repeat += 1
    in_period = [lo <= days[i] <= hi for i in range(len(data))]
    return {
        "victims": len(victims),
        "repeat_victims": len(repeaters),
        "records": n_records,
        "repeat_records": n_repeat,
        "repeat_victim_records": sum(
            1 for i in range(len(data)) if in_period[i] and keys[i] in repeaters
        ),
    }


@pytest.mark.parametrize(("seed", "same_day"), [(0, False), (1, False), (2, True), (3, True)])
def test_matches_brute_force_on_random_records(seed: int, same_day: bool) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    data = pd.DataFrame(
        {
            "victim_key": rng.choice([f"v{i:03d}" for i in range(80)], size=n),
            "date": pd.Timestamp("2022-06-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
        }
    )
    got = repeat_rate(data, period=("2023-07-01", "2024-06-30"), same_day_counts=same_day)
    want = brute_force(data, "2023-07-01", "2024-06-30", 365, same_day)
    for key, value in want.items():
        assert got[key] == value, key
    assert got["repeat_victims"] > 0 and got["repeat_victims"] < got["victims"]
    assert got["repeat_rate"] == pytest.approx(want["repeat_victims"] / want["victims"])


def test_datetime_column_and_unparsable_strings() -> None:
    typed = recs([("A", "2024-03-01"), ("A", "2024-04-01")])
    typed["date"] = pd.to_datetime(typed["date"]).dt.tz_localize("Europe/London")
    assert repeat_rate(typed, period=PERIOD)["repeat_victims"] == 1
    # Non-ISO text is not guessed at (01/02 could be either month): it counts as no date.
    out = repeat_rate(recs([("A", "2024-03-01"), ("A", "01/02/2024")]), period=PERIOD)
    assert out["records_without_date"] == 1 and out["repeat_victims"] == 0
