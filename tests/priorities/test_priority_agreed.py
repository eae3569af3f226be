"""Agreed lists: import, year on year movement, the one-page summary, and the demo's list."""

from __future__ import annotations

import pandas as pd
import pytest

from csp_dash.cli.commands import main
from csp_dash.ingest.errors import IngestError
from csp_dash.priorities.agreed import (
    AgreedItem,
    agreed_list,
    agreed_years,
    import_agreed_list,
    record_agreed_list,
    year_on_year,
)
from csp_dash.priorities.workshop.summary import summary_html, summary_markdown

LAST = (
    "year,rank,priority,rationale\n"
    + "\n".join(
        [
            "2025,2,ASB and disorder,Top resident concern",
            "2025,1,Violence,Serious violence duty",
            "2025,3,Drugs,Open markets",
            "2025,4,County lines,Exploitation",
            "2025,5,Hate crime,Tension",
        ]
    )
    + "\n"
)


def test_import_orders_by_rank_and_moves_year_on_year(engine):
    assert import_agreed_list(engine, LAST.encode(), file_name="last.csv") == {2025: 5}
    assert list(agreed_list(engine, 2025)["name"]) == [
        "Violence",
        "ASB and disorder",
        "Drugs",
        "County lines",
        "Hate crime",
    ]
    record_agreed_list(
        engine,
        2026,
        [
            AgreedItem("asb and  disorder", "Still top concern"),
            AgreedItem("Violence", "Harm"),
            AgreedItem("Shoplifting", "Up 47%"),
            AgreedItem("Drugs", "Markets"),
            AgreedItem("Modern slavery", "Hidden harm"),
        ],
    )
    assert agreed_years(engine) == [2026, 2025]
    moves = year_on_year(engine, 2026).set_index("candidate")
    assert moves.attrs["last_year"] == 2025
    # By hand: ASB 2 -> 1 up 1; Violence 1 -> 2 down 1; Drugs 3 -> 4 down 1; Shoplifting and
    # Modern slavery new; County lines and Hate crime dropped (last year's reasons kept).
    assert moves["status"].to_dict() == {
        "asb and disorder": "up 1",
        "Violence": "down 1",
        "Shoplifting": "new",
        "Drugs": "down 1",
        "Modern slavery": "new",
        "County lines": "dropped",
        "Hate crime": "dropped",
    }
    assert moves.loc["Hate crime", "rationale"] == "Tension"
    assert moves.loc["Shoplifting", "rationale"] == "Up 47%"
    first = year_on_year(engine, 2025)
    assert first.attrs["last_year"] is None and set(first["status"]) == {"new"}


def test_import_with_a_given_year_and_file_order(duck_engine, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("priority\nViolence\nDrugs\n", encoding="utf-8")
    assert import_agreed_list(duck_engine, path, year=2024) == {2024: 2}
    assert list(agreed_list(duck_engine, 2024)["rank"]) == [1, 2]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("priority,rank\nViolence,1\n", "give the year"),
        ("name,year\nViolence,2025\nviolence,2025\n", "'violence' is listed twice"),
        ("title,year\nViolence,2025\n", "needs a 'priority'"),
        ("priority,year\nViolence,soon\n", "the year is not a number"),
    ],
)
def test_bad_lists_are_refused_whole(duck_engine, text, problem):
    with pytest.raises(IngestError, match=problem):
        import_agreed_list(duck_engine, text.encode(), file_name="bad.csv")
    assert agreed_years(duck_engine) == []


def test_cli_imports_an_agreed_list(duck_engine, tmp_path, capsys):
    path = tmp_path / "last.csv"
    path.write_text(LAST, encoding="utf-8")
    url = duck_engine.url.render_as_string(hide_password=False)
    assert main(["ingest", "agreed-list", str(path), "--db", url]) == 0
    assert "agreed list 2025: 5 priorities" in capsys.readouterr().out


def test_summary_is_one_escaped_page_with_movement(duck_engine):
    import_agreed_list(duck_engine, LAST.encode(), file_name="last.csv")
    record_agreed_list(
        duck_engine,
        2026,
        [
            AgreedItem("Violence", "<script>alert(1)</script>"),
            AgreedItem("Drugs", "Markets & supply"),
        ],
    )
    moves = year_on_year(duck_engine, 2026)
    ranking = pd.DataFrame(
        {"Rank": [1], "Candidate priority": ["Violence"], "Priority score (0-1)": [0.8512]}
    )
    page = summary_html(
        "Priorities 2026",
        "Workshop",
        moves,
        2025,
        ranking,
        "<svg><rect/></svg>",
        ["weights 0.6/0.2/0.2"],
    )
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Markets &amp; supply" in page
    assert "@page { size: A4 portrait" in page
    assert "<svg><rect/></svg>" in page and "0.85" in page
    # Violence 1 -> 1 same; Drugs 3 -> 2 up 1; the three others dropped
    assert page.count("class='dropped'") == 6  # name and status cells of 3 dropped
    assert "up 1" in page and "Rank 2025" in page
    md = summary_markdown("Priorities 2026", "Workshop", moves, ["note | with pipe"])
    # Markdown, not HTML: an ampersand as typed, no entities (docs/methods.md)
    assert "| 2 | Drugs | 3 | up 1 | Markets & supply |" in md
    assert "&amp;" not in md and "&lt;" not in md
    assert "<script>" not in md and "\\<script\\>alert(1)\\</script\\>" in md  # inert
    assert "note \\| with pipe" in md


def test_demo_holds_last_years_list_and_a_survey(demo_db):
    from csp_dash.db.engine import make_engine
    from csp_dash.ingest.survey import list_surveys
    from csp_dash.priorities.candidates import list_candidates

    eng = make_engine(demo_db)
    try:
        years = agreed_years(eng)
        assert len(years) == 1
        assert list(agreed_list(eng, years[0])["name"])[:2] == ["Violence", "ASB and disorder"]
        surveys = list_surveys(eng)
        assert surveys["n_respondents"].iloc[0] == 640
        names = set(list_candidates(eng)["name"])
        assert {"Violence", "County lines", "Car cruising", "Modern slavery"} <= names
    finally:
        eng.dispose()
