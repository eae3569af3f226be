"""Comparison tables: period parsing, ingest (both engines), 12-month totals, rates and index."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csp_dash.cli.commands import main as cli_main
from csp_dash.ingest.comparison import ingest_comparison, parse_period, read_comparison
from csp_dash.ingest.errors import IngestError
from csp_dash.trends import comparators as tc


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2025-03", date(2025, 3, 1), date(2025, 3, 1)),
        ("2025-03-01", date(2025, 3, 1), date(2025, 3, 1)),
        ("2024/25", date(2024, 4, 1), date(2025, 3, 1)),
        ("2024/2025", date(2024, 4, 1), date(2025, 3, 1)),
        ("2024", date(2024, 1, 1), date(2024, 12, 1)),
        ("year ending Mar 2025", date(2024, 4, 1), date(2025, 3, 1)),
        ("YE September 2024", date(2023, 10, 1), date(2024, 9, 1)),
        ("2024-04 to 2024-06", date(2024, 4, 1), date(2024, 6, 1)),
    ],
)
def test_parse_period(text, first, last):
    assert parse_period(text) == (first, last)


@pytest.mark.parametrize("text", ["2025-13", "2024/26", "March", "2025-06 to 2025-01", ""])
def test_parse_period_refuses(text):
    with pytest.raises(ValueError):
        parse_period(text)


def _write(
    path: Path, rows: list[tuple], header: str = "area,period,category,count,population"
) -> Path:
    path.write_text(
        header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def _monthly(
    area: str, months: pd.DatetimeIndex, counts: list[int], pop: int, category: str = "Burglary"
) -> list[tuple]:
    return [(area, f"{m:%Y-%m}", category, c, pop) for m, c in zip(months, counts, strict=True)]


def test_ingest_loads_and_replaces_by_area(engine, tmp_path):
    months = pd.date_range("2024-01-01", "2024-12-01", freq="MS")
    rows = _monthly("Peer A", months, list(range(10, 22)), 100_000)
    rows += _monthly("Peer B", months, [5] * 12, 50_000)
    rows.append(("Peer B", "2024-01", "Drugs", 3, ""))  # blank population is allowed
    report = ingest_comparison(engine, _write(tmp_path / "peers.csv", rows))
    assert report.rows == 25 and report.areas == ["Peer A", "Peer B"]
    assert (report.first_month, report.last_month) == (date(2024, 1, 1), date(2024, 12, 1))
    areas = tc.comparison_areas(engine).set_index("area")
    assert areas.loc["Peer A", "rows"] == 12 and areas.loc["Peer B", "rows"] == 13
    # Reloading Peer A with new figures replaces its rows and leaves Peer B alone.
    ingest_comparison(engine, _write(tmp_path / "a.csv", _monthly("Peer A", months, [1] * 12, 9)))
    periods = tc.comparison_periods(engine, ["Peer A", "Peer B"], ["Burglary", "Drugs"])
    by_area = periods.groupby("area")["count"].sum()
    assert by_area["Peer A"] == 12  # 12 x 1, not 12 + sum(10..21)
    assert by_area["Peer B"] == 5 * 12 + 3
    held = tc.comparison_categories(engine)
    assert tc.lacking(held, ["Peer A", "Peer B"], ["Burglary", "Drugs", "Robbery"]) == {
        "Peer A": ["Drugs", "Robbery"],
        "Peer B": ["Robbery"],
    }
    jan_b = periods[(periods["area"] == "Peer B") & (periods["period_start"] == "2024-01-01")]
    assert jan_b["count"].item() == 8 and jan_b["population"].item() == 50_000


@pytest.mark.parametrize(
    ("rows", "message", "row"),
    [
        ([("X", "2024-01", "Burglery", 5, 10)], "not a police.uk category", 1),
        (
            [("X", "2024-01", "Burglary", 5, 10), ("X", "2024-02", "Burglary", -1, 10)],
            "whole number",
            2,
        ),
        ([("X", "2024-01", "Burglary", 2.5, 10)], "whole number", 1),
        ([("X", "Q1 2024", "Burglary", 5, 10)], "is not a month", 1),
        ([("X", "2024-01", "Burglary", 5, "many")], "positive number", 1),
        ([("", "2024-01", "Burglary", 5, 10)], "area is blank", 1),
        # An annual row beside a monthly row inside it would double count.
        (
            [("X", "2024-05", "Burglary", 5, 10), ("X", "2024/25", "Burglary", 60, 10)],
            "overlaps",
            2,
        ),
    ],
)
def test_bad_rows_refused_whole_naming_the_row(tmp_path, rows, message, row):
    with pytest.raises(IngestError) as err:
        read_comparison(_write(tmp_path / "bad.csv", rows))
    assert message in str(err.value) and err.value.row == row


def test_missing_column_refused(tmp_path):
    path = _write(tmp_path / "bad.csv", [("X", "2024-01", 5)], header="area,period,count")
    with pytest.raises(IngestError, match="category"):
        read_comparison(path)


def test_columns_matched_without_case_and_counts_with_commas(tmp_path):
    path = tmp_path / "ons.csv"
    path.write_text(
        "Area,Period,Category,Count,Population\n"
        'England and Wales,2024/25,Robbery,"81,234","61,000,000"\n',
        encoding="utf-8",
    )
    df = read_comparison(path)
    assert df["count"].item() == 81234 and df["population"].item() == 61_000_000
    assert df["period_start"].item() == date(2024, 4, 1)


def test_twelve_month_totals_need_exact_tiling():
    # Monthly rows for Jan 2024..Jun 2025 with count = month number 1..18; one gap in 2025-02.
    months = pd.date_range("2024-01-01", "2025-06-01", freq="MS")
    monthly = pd.DataFrame(
        {
            "area": "M",
            "period_start": months,
            "period_end": months,
            "count": np.arange(1, 19),
            "population": 1000.0,
        }
    )
    monthly = monthly[monthly["period_start"] != "2025-02-01"]
    # Annual rows: financial years 2023/24 and 2024/25.
    annual = pd.DataFrame(
        {
            "area": "A",
            "period_start": pd.to_datetime(["2023-04-01", "2024-04-01"]),
            "period_end": pd.to_datetime(["2024-03-01", "2025-03-01"]),
            "count": [1200, 1500],
            "population": [500.0, 600.0],
        }
    )
    ends = [date(2024, 12, 1), date(2025, 1, 1), date(2025, 3, 1)]
    out = tc.twelve_month_totals(pd.concat([monthly, annual]), ends).set_index(["area", "year_end"])
    # 12 months to Dec 2024 = 1 + ... + 12 = 78; to Jan 2025 = 2 + ... + 13 = 90.
    assert out.loc[("M", pd.Timestamp("2024-12-01")), "count"] == 78
    assert out.loc[("M", pd.Timestamp("2025-01-01")), "count"] == 90
    assert ("M", pd.Timestamp("2025-03-01")) not in out.index  # Feb 2025 missing
    # The annual area has a figure only at the March year end, with that year's population.
    assert list(out.loc["A"].index) == [pd.Timestamp("2025-03-01")]
    assert out.loc[("A", pd.Timestamp("2025-03-01")), "population"] == 600.0


def test_compare_rates_index_and_windows():
    ends = [date(2024, 3, 1), date(2025, 3, 1)]
    # Local: months Apr 2023..Mar 2025, 10 a month in the first year, 12 in the second.
    months = pd.date_range("2023-04-01", "2025-03-01", freq="MS")
    local_monthly = pd.Series([10.0] * 12 + [12.0] * 12, index=months)
    local = tc.local_totals(local_monthly, ends, 2000.0, "Here")
    others = pd.DataFrame(
        {
            "area": "E&W",
            "year_end": pd.to_datetime(ends),
            "count": [50_000, 55_000],
            "population": [10_000_000.0, 10_000_000.0],
        }
    )
    table = tc.compare(local, others)
    here = table[table["area"] == "Here"].set_index("year_end")
    # 120 / 2,000 x 1,000 = 60 per 1,000; then 144 -> 72; index 144 / 120 = 120.
    assert here["rate"].tolist() == pytest.approx([60.0, 72.0])
    assert here["index"].tolist() == pytest.approx([100.0, 120.0])
    ew = table[table["area"] == "E&W"].set_index("year_end")
    assert ew["rate"].tolist() == pytest.approx([5.0, 5.5])
    cw = tc.compare_windows(table, {"Latest": date(2025, 3, 1)})
    row = cw.set_index("area").loc["E&W"]
    assert row["change_pct"] == pytest.approx(10.0)  # 50,000 -> 55,000
    assert row["local_vs_area"] == pytest.approx(72.0 / 5.5)
    assert cw.set_index("area").loc["Here", "change_pct"] == pytest.approx(20.0)


def test_local_totals_blank_across_a_gap():
    months = pd.date_range("2023-01-01", "2024-12-01", freq="MS").delete(14)  # no Mar 2024
    s = pd.Series(1.0, index=months)
    out = tc.local_totals(s, [date(2023, 12, 1), date(2024, 12, 1)], None, "Here")
    assert out["count"].iloc[0] == 12 and np.isnan(out["count"].iloc[1])


def test_cli_ingest_comparison(duck_engine, tmp_path, capsys):
    url = str(duck_engine.url)
    path = _write(tmp_path / "ew.csv", [("England and Wales", "2024/25", "Drugs", 190000, 61e6)])
    assert cli_main(["ingest", "comparison", str(path), "--db", url]) == 0
    assert "1 rows for 1 area(s) (England and Wales), 2024-04 to 2025-03" in capsys.readouterr().out
    bad = _write(tmp_path / "bad.csv", [("X", "2024-01", "Nope", 1, 1)])
    assert cli_main(["ingest", "comparison", str(bad), "--db", url]) == 2
    assert "REFUSED bad.csv, row 1" in capsys.readouterr().err
