"""The trends page's figures on small hand-made series (pure functions, no database)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from csp_dash.analysis.trends import poisson_z
from csp_dash.trends.queries import Population
from csp_dash.trends.view import (
    default_year_end,
    fill_gaps,
    harm_ranking,
    improvement_for,
    measure_series,
    monthly_by_category,
    rebase_months,
    trend_frame,
    year_end_options,
    yoy_table,
)

THEMES = pd.DataFrame(
    {
        "category": ["Burglary", "Robbery", "Drugs"],
        "theme": ["Acquisitive crime", "Violence", "Drugs"],
        "sort_order": [0, 1, 2],
    }
)
POP = Population(2000.0, 800.0, "test")


def _counts(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame([{"month": pd.Timestamp(m), "category": c, "count": n} for m, c, n in rows])


def test_monthly_zero_where_loaded_and_gap_where_not():
    counts = _counts([("2024-01-01", "Burglary", 3), ("2024-03-01", "Robbery", 2)])
    loaded = [date(2024, 1, 1), date(2024, 3, 1)]  # February never loaded
    wide = monthly_by_category(
        counts, ["Burglary", "Robbery"], loaded, date(2024, 1, 1), date(2024, 3, 1)
    )
    assert wide.loc["2024-01-01"].tolist() == [3.0, 0.0]
    assert wide.loc["2024-02-01"].isna().all()
    assert wide.loc["2024-03-01"].tolist() == [0.0, 2.0]


def test_measures_count_rate_households_and_harm():
    idx = pd.date_range("2024-01-01", periods=2, freq="MS")
    wide = pd.DataFrame({"Burglary": [4.0, 8.0], "Robbery": [1.0, np.nan]}, index=idx)
    wide.loc[idx[1], "Burglary"] = np.nan  # a gap month is NaN in every column
    count, _ = measure_series(wide, "count", POP)
    assert count.iloc[0] == 5.0 and np.isnan(count.iloc[1])
    rate, label = measure_series(wide, "rate", POP)
    assert rate.iloc[0] == pytest.approx(5 / 2000 * 1000) and "residents" in label
    # Burglary alone is a rate per 1,000 households: 4 / 800 x 1,000 = 5.
    b_rate, b_label = measure_series(wide[["Burglary"]], "rate", POP)
    assert b_rate.iloc[0] == pytest.approx(5.0) and "households" in b_label
    harm, _ = measure_series(wide, "harm", POP, pd.Series({"Burglary": 10.0, "Robbery": 100.0}))
    assert harm.iloc[0] == pytest.approx(4 * 10 + 1 * 100)
    with pytest.raises(ValueError, match="no population"):
        measure_series(wide, "rate", Population(None, None, "no population here"))


def test_trend_frame_rolling_total_waits_for_12_months():
    idx = pd.date_range("2023-01-01", periods=14, freq="MS")
    s = pd.Series(np.arange(1.0, 15.0), index=idx)
    frame = trend_frame(s, date(2023, 11, 1))
    assert frame["month"].iloc[0] == pd.Timestamp("2023-11-01")
    assert np.isnan(frame["rolling_12"].iloc[0])  # only 11 months by Nov 2023
    assert frame["rolling_12"].iloc[1] == sum(range(1, 13))  # Dec 2023: 1..12
    assert frame["rolling_12"].iloc[3] == sum(range(3, 15))


def test_yoy_table_rows_and_rates():
    counts = _counts(
        [
            ("2023-06-01", "Burglary", 100),
            ("2024-06-01", "Burglary", 64),
            ("2023-06-01", "Robbery", 9),
            ("2024-06-01", "Robbery", 16),
        ]
    )
    cur, prev = (date(2024, 1, 1), date(2024, 12, 1)), (date(2023, 1, 1), date(2023, 12, 1))
    loaded = pd.date_range("2023-01-01", "2024-12-01", freq="MS").date
    out = yoy_table(counts, THEMES, ["Burglary", "Robbery"], cur, prev, POP, loaded).set_index("name")
    assert list(out["level"]) == ["Category", "Category", "Theme", "Theme", "Total"]
    # Burglary 100 -> 64: z = 2(8 - 10) = -4, significant fall; rate per 1,000 households.
    assert out.loc["Burglary", "z"] == pytest.approx(-4.0)
    assert out.loc["Burglary", "direction"] == "decrease"
    assert out.loc["Burglary", "rate_current"] == pytest.approx(64 / 800 * 1000)
    # Robbery 9 -> 16: z = 2(4 - 3) = 2, not above 2.
    assert out.loc["Robbery", "direction"] == "no significant change"
    assert out.loc["Robbery", "rate_base"] == "per 1,000 residents"
    total = out.loc["Selected categories"]
    assert (total["current"], total["previous"]) == (80, 109)
    assert total["z"] == pytest.approx(poisson_z(80, 109))
    assert total["rate_previous"] == pytest.approx(109 / 2000 * 1000)


def test_year_end_options_and_default():
    loaded = [d.date() for d in pd.date_range("2022-05-01", "2024-08-01", freq="MS")]
    options = year_end_options(loaded)
    # A year ending M needs M - 23 months >= May 2022, so the oldest is Apr 2024.
    assert options[0] == date(2024, 8, 1) and options[-1] == date(2024, 4, 1)
    assert default_year_end(options) == date(2024, 8, 1)  # no March among them
    assert default_year_end(year_end_options(loaded + [date(2025, 3, 1)])) == date(2025, 3, 1)


def test_improvement_direction_for_a_selection():
    stored = {"Violence": "up"}
    assert improvement_for(["Burglary"], THEMES, stored)[0] == "down"
    assert improvement_for(["Robbery"], THEMES, stored)[0] == "up"
    way, note = improvement_for(["Burglary", "Robbery"], THEMES, stored)
    assert way == "neutral" and "different directions" in note


def test_rebase_months_only_declared_rebasing_kinds_inside_the_series():
    events = pd.DataFrame(
        {
            "month": pd.to_datetime(["2023-01-01", "2024-03-01", "2024-05-01", "2026-01-01"]),
            "kind": ["recording change", "note", "rebase", "rebase"],
        }
    )
    idx = pd.date_range("2023-01-01", "2024-12-01", freq="MS")
    # Jan 2023 is the first point (no new segment); the note never rebases; 2026 is outside.
    assert rebase_months(events, idx) == [pd.Timestamp("2024-05-01")]
    assert rebase_months(events.iloc[0:0], idx) == []


def test_fill_gaps_interpolates_inside_only():
    idx = pd.date_range("2024-01-01", periods=5, freq="MS")
    s = pd.Series([np.nan, 10.0, np.nan, 14.0, np.nan], index=idx)
    filled, months = fill_gaps(s)
    assert filled.iloc[2] == 12.0 and months == [idx[2]]
    assert np.isnan(filled.iloc[0]) and np.isnan(filled.iloc[4])


def test_harm_ranking_against_hand_sums():
    counts = _counts(
        [
            ("2024-02-01", "Burglary", 30),
            ("2024-02-01", "Robbery", 10),
            ("2024-02-01", "Drugs", 50),
            ("2023-02-01", "Drugs", 999),
        ]
    )
    w = pd.Series({"Burglary": 356.0, "Robbery": 800.0, "Drugs": 170.0})
    out = harm_ranking(
        counts, w, (date(2024, 1, 1), date(2024, 12, 1)), ["Burglary", "Robbery", "Drugs"]
    ).set_index("category")
    # Harm: Burglary 10,680; Robbery 8,000; Drugs 8,500. Counts: Drugs 50 > Burglary 30 > Robbery.
    assert out["harm"].to_dict() == {"Burglary": 10680.0, "Drugs": 8500.0, "Robbery": 8000.0}
    assert out["count_rank"].to_dict() == {"Burglary": 2, "Drugs": 1, "Robbery": 3}
    assert out["harm_rank"].to_dict() == {"Burglary": 1, "Drugs": 2, "Robbery": 3}
    assert out.loc["Burglary", "movement"] == 1 and out.loc["Drugs", "movement"] == -1
    assert out["harm_share"].sum() == pytest.approx(100.0)
    assert out.loc["Drugs", "count_share"] == pytest.approx(50 / 90 * 100)


def test_area_population_and_stored_directions(engine):
    from sqlalchemy import insert

    from csp_dash.db.schema import areas
    from csp_dash.trends.queries import area_population, directions, set_directions

    assert area_population(engine, "all", None).residents is None  # no LSOAs yet
    rows = [
        ("lsoa", "L1", 100.0, 40.0),
        ("lsoa", "L2", 200.0, None),
        ("estate", "E1", 50.0, 20.0),
        ("estate", "E2", None, None),
    ]
    with engine.begin() as conn:
        conn.execute(
            insert(areas),
            [
                {"layer": lay, "code": c, "name": c, "population": p, "households": h}
                for lay, c, p, h in rows
            ],
        )
    whole = area_population(engine, "all", None)
    assert whole.residents == 300.0 and whole.households is None  # L2 lacks households
    assert area_population(engine, "lsoa", "L1").households == 40.0
    assert area_population(engine, "estate", "E1").residents == 50.0
    every = area_population(engine, "estate", None)
    assert every.residents is None and "1 of 2 areas" in every.note
    assert "No ward boundaries" in area_population(engine, "ward", None).note
    set_directions(engine, {"Violence": "up", "Drugs": "down"})
    set_directions(engine, {"Drugs": "neutral"})
    assert directions(engine) == {"Violence": "up", "Drugs": "neutral"}
    set_directions(engine, {"Violence": "down"})  # back to the default: no row kept
    assert directions(engine) == {"Drugs": "neutral"}
    with pytest.raises(ValueError):
        set_directions(engine, {"Drugs": "sideways"})
