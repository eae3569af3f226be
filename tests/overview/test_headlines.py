"""Headlines: wording on a hand-made district, links, and the CLI against the raw crime rows."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from sqlalchemy import func, select, text

from csp_dash.cli.commands import main as cli_main
from csp_dash.db.engine import make_engine
from csp_dash.db.schema import crimes
from csp_dash.overview.headlines import build_headlines, headline_items, trend_link
from csp_dash.vocab import ASB, DEFAULT_THEMES

THEMES = pd.DataFrame(
    {
        "category": list(DEFAULT_THEMES),
        "theme": list(DEFAULT_THEMES.values()),
        "sort_order": range(len(DEFAULT_THEMES)),
    }
)
# Previous year (2024) and latest year (2025) totals, put in June of each year.
FIGURES = {
    "Burglary": (100, 150),
    "Vehicle crime": (400, 300),
    "Shoplifting": (100, 110),
    "Robbery": (0, 12),
    ASB: (500, 480),
}


def _counts() -> pd.DataFrame:
    rows = []
    for category, (before, now) in FIGURES.items():
        rows.append({"month": pd.Timestamp("2024-06-01"), "category": category, "count": before})
        rows.append({"month": pd.Timestamp("2025-06-01"), "category": category, "count": now})
    return pd.DataFrame(rows)


# Every month of both years is loaded; the rows only fall in June (other months are zeros).
LOADED = list(pd.date_range("2024-01-01", "2025-12-01", freq="MS").date)


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return headline_items(_counts(), THEMES, date(2025, 12, 1), loaded=LOADED)


def test_sentences_worked_by_hand(items):
    # z = 2(sqrt(current) - sqrt(previous)); significant where |z| > 2.
    expected = [
        # All crime excludes ASB: 100+400+100+0 = 600 -> 150+300+110+12 = 572, z = -1.16.
        "All crime (excluding anti-social behaviour) fell 4.7% (600 to 572): no significant change.",
        # 500 -> 480: z = 2(21.909 - 22.361) = -0.90.
        "Anti-social behaviour incidents fell 4.0% (500 to 480): no significant change.",
        # Violence holds only Robbery here: zero before.
        "Violence: 12 against none in the comparison period.",
        # 600 -> 560: -6.67%, z = 2(23.664 - 24.495) = -1.66.
        "Acquisitive crime fell 6.7% (600 to 560): no significant change.",
        "ASB and disorder fell 4.0% (500 to 480): no significant change.",
        # Themes with no data at all.
        "Drugs: none recorded in either period.",
        "Other crime: none recorded in either period.",
        # Risers by change: Burglary +50 (z = 2(12.247 - 10) = 4.49), Robbery +12 (z = 6.93).
        "Burglary rose 50.0% (100 to 150), a significant increase.",
        "Robbery: 12 against none in the comparison period.",
        # Fallers: Vehicle crime 400 -> 300, z = 2(17.321 - 20) = -5.36.
        "Vehicle crime fell 25.0% (400 to 300), a significant decrease.",
    ]
    assert [i["sentence"] for i in items] == expected


def test_items_carry_figures_and_category_or_theme(items):
    by_label = {i["label"]: i for i in items}
    burglary = by_label["Burglary"]
    assert burglary["category"] == "Burglary" and burglary["theme"] is None
    assert (burglary["current"], burglary["previous"], burglary["change"]) == (150, 100, 50)
    assert burglary["pct"] == pytest.approx(50.0)
    assert burglary["z"] == pytest.approx(2 * (150**0.5 - 10))
    assert burglary["significant"] is True
    theme = by_label["Acquisitive crime"]
    assert theme["theme"] == "Acquisitive crime" and theme["category"] is None
    assert not theme["significant"]
    assert by_label["Anti-social behaviour incidents"]["category"] == ASB
    assert by_label["Drugs"]["pct"] is None  # 0 -> 0


def test_links_open_the_matching_trend_view(items):
    by_label = {i["label"]: i for i in items}
    all_crime = by_label["All crime (excluding anti-social behaviour)"]
    url = trend_link(all_crime, THEMES, layer="estate", area="E01", end=date(2025, 12, 1))
    parts = urlsplit(url)
    qs = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "trends"
    assert qs["layer"] == "estate" and qs["area"] == "E01" and qs["end"] == "2025-12"
    assert qs["len"] == "12"  # the link keeps the period: the same figures on the trends page
    cats = qs["cats"].split("|")
    assert ASB not in cats and len(cats) == len(DEFAULT_THEMES) - 1
    theme_qs = parse_qs(
        urlsplit(
            trend_link(by_label["Violence"], THEMES, layer="all", area=None, end=date(2025, 12, 1))
        ).query
    )
    assert theme_qs["themes"] == ["Violence"] and "cats" not in theme_qs and "area" not in theme_qs


def _raw_all_crime(url: str, first: date, last: date, lsoa: str | None = None) -> int:
    """Independent count straight from the crimes table (not the cube)."""
    c = crimes.c
    # The district's records: every demo LSOA is loaded, so every record with an LSOA code.
    stmt = select(func.count()).where(c.month.between(first, last), c.category != ASB,
                                      c.lsoa_code.is_not(None))
    if lsoa:
        stmt = stmt.where(c.lsoa_code == lsoa)
    eng = make_engine(url)
    with eng.connect() as conn:
        n = conn.execute(stmt).scalar()
    eng.dispose()
    return int(n)


def test_cli_json_matches_raw_rows(demo_db, capsys):
    assert cli_main(["headlines", "--db", demo_db, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["current_period"] == "2025-10 to 2026-09"
    first = out["items"][0]
    for key in (
        "category",
        "theme",
        "current",
        "previous",
        "change",
        "pct",
        "z",
        "significant",
        "sentence",
    ):
        assert all(key in item for item in out["items"]), key
    assert first["kind"] == "all_crime"
    assert first["current"] == _raw_all_crime(demo_db, date(2025, 10, 1), date(2026, 9, 1))
    assert first["previous"] == _raw_all_crime(demo_db, date(2024, 10, 1), date(2025, 9, 1))
    assert first["significant"] == (abs(first["z"]) > 2)
    assert {i["kind"] for i in out["items"]} >= {"all_crime", "asb", "theme", "category"}


def test_cli_text_for_one_lsoa_and_bad_area(demo_db, capsys):
    eng = make_engine(demo_db)
    result = build_headlines(eng, "lsoa", None)
    with eng.connect() as conn:
        code = conn.execute(
            text("SELECT code FROM areas WHERE layer = 'lsoa' ORDER BY code LIMIT 1")
        ).scalar()
    eng.dispose()
    assert (
        cli_main(
            ["headlines", "--db", demo_db, "--layer", "lsoa", "--area", code, "--end", "2025-09"]
        )
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("2024-10 to 2025-09 against 2023-10 to 2024-09") and code in lines[0]
    expected = _raw_all_crime(demo_db, date(2024, 10, 1), date(2025, 9, 1), lsoa=code)
    # The previous 12 months hold the demo's missing month (2024-03): no change is claimed.
    assert f"{expected:,} in the period; no comparison, as 1 month(s)" in lines[1]
    assert len(result["items"]) >= 7  # all crime, ASB, five themes, then movers
    assert cli_main(["headlines", "--db", demo_db, "--layer", "lsoa", "--area", "nope"]) == 2
    assert "no area 'nope'" in capsys.readouterr().err


def test_no_change_is_claimed_across_months_with_no_data():
    # Data loaded for the latest 12 months only: the previous 12 are a gap, not zeros.
    counts = _counts()
    last = date(2025, 12, 1)
    loaded = sorted({d.date() for d in pd.to_datetime(counts["month"]) if d.year == 2025})
    items = headline_items(counts, THEMES, last, loaded=loaded)
    assert items and all(not i["significant"] and i["z"] is None for i in items)
    assert all(i["kind"] != "category" for i in items)  # no "biggest risers" from a gap
    first = items[0]
    n_missing = 24 - len(loaded)  # every loaded month lies in the latest 12
    assert n_missing >= 12
    assert first["sentence"] == (f"{first['label']}: {int(first['current']):,} in the period; no "
                                 f"comparison, as {n_missing} month(s) of the two periods have "
                                 "no data loaded.")
