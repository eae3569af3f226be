"""Consultation survey import: layouts, validation, area matching, concern by theme and estate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from csp_dash.cli.commands import main
from csp_dash.db.schema import areas, layers
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.survey import ingest_survey, list_surveys, load_answers
from csp_dash.priorities.concern import concern_by_area, concern_by_theme

WIDE = (
    "respondent,estate,Violence,drugs,Car cruising\n"
    "R1,Hollins Park,5,2,4\n"
    "R2,hollins park,4,2,\n"  # case differs; a blank answer is left out
    "R3,EST002,3,,1\n"  # the estate given by its code
    "R4,Somewhere else,3,4,2\n"
    "R5,,1,1,1\n"
)


def add_estates(engine) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(insert(layers).values(layer="estate", n_areas=2, loaded_at=now))
        conn.execute(
            insert(areas),
            [
                {"layer": "estate", "code": "EST001", "name": "Hollins Park"},
                {"layer": "estate", "code": "EST002", "name": "Brookfield"},
            ],
        )


def test_wide_survey_matches_areas_and_theme_spelling(engine):
    add_estates(engine)
    report = ingest_survey(engine, WIDE.encode(), file_name="residents.csv")
    assert report.status == "loaded"
    assert report.survey_id == "residents"
    assert report.respondents == 5
    # 15 cells less 2 blanks
    assert report.answers == 13
    # "drugs" takes the theme's spelling; "Car cruising" is kept as written
    assert report.themes == ["Car cruising", "Drugs", "Violence"]
    assert report.unmatched_areas == ["Somewhere else"]
    assert report.no_area == 1
    answers = load_answers(engine, "residents")
    by_resp = answers.drop_duplicates("respondent").set_index("respondent")["area_code"]
    assert by_resp["R1"] == "EST001" and by_resp["R2"] == "EST001" and by_resp["R3"] == "EST002"
    assert by_resp.isna()[["R4", "R5"]].all()


def test_concern_by_theme_and_estate_by_hand(engine):
    add_estates(engine)
    ingest_survey(engine, WIDE.encode(), file_name="residents.csv")
    theme = concern_by_theme(engine, "residents")
    # Violence answers 5, 4, 3, 3, 1: mean 16/5 = 3.2; on 1-5 onto 1-5 it stays 3.2
    assert theme.loc["Violence", "mean"] == pytest.approx(3.2)
    assert theme.loc["Violence", "score"] == pytest.approx(3.2)
    assert theme.loc["Violence", "n"] == 5
    # Drugs answers 2, 2, 4, 1 (R3 blank): mean 9/4 = 2.25
    assert theme.loc["Drugs", "score"] == pytest.approx(2.25)
    area = concern_by_area(engine, "residents").set_index(["area_code", "theme"])
    # Hollins Park (R1, R2): Violence 5, 4 -> 4.5; Car cruising only R1's 4
    assert area.loc[("EST001", "Violence"), "score"] == pytest.approx(4.5)
    assert area.loc[("EST001", "Car cruising"), "n"] == 1
    # Brookfield (R3): Violence 3
    assert area.loc[("EST002", "Violence"), "score"] == pytest.approx(3.0)
    assert bool(area.loc[("EST002", "Violence"), "few"])


def test_rank_survey_turns_rank_into_concern(engine):
    # Long layout, ranks 1 (most concern) to 3. Violence ranks 1, 1, 2: mean 4/3.
    # Concern fraction = 1 - (4/3 - 1) / (3 - 1) = 5/6; on 1-5: 1 + 4 x 5/6 = 4.3333.
    data = (
        "respondent,area,theme,rank\n"
        "A,x,Violence,1\nA,x,Drugs,2\nA,x,ASB and disorder,3\n"
        "B,x,Violence,1\nB,x,Drugs,3\nB,x,ASB and disorder,2\n"
        "C,x,Violence,2\nC,x,Drugs,1\nC,x,ASB and disorder,3\n"
    )
    report = ingest_survey(engine, data.encode(), file_name="ranks.csv", kind="rank", layer=None)
    assert report.respondents == 3 and report.answers == 9
    info = list_surveys(engine).set_index("survey_id").loc["ranks"]
    assert (info["scale_min"], info["scale_max"]) == (1.0, 3.0)
    theme = concern_by_theme(engine, "ranks")
    assert theme.loc["Violence", "score"] == pytest.approx(1 + 4 * 5 / 6)
    # ASB ranks 3, 2, 3: mean 8/3; fraction 1 - (5/3)/2 = 1/6; 1 + 4/6
    assert theme.loc["ASB and disorder", "score"] == pytest.approx(1 + 4 / 6)


@pytest.mark.parametrize(
    ("text", "kind", "problem", "row"),
    [
        (
            "respondent,estate,Violence\nR1,a,5\nR2,b,lots\n",
            "rating",
            "'lots' in column 'Violence'",
            2,
        ),
        (
            "respondent,estate,Violence\nR1,a,5\nR2,b,7\n",
            "rating",
            "answer 7 for 'Violence' lies outside",
            2,
        ),
        (
            "respondent,area,theme,rank\nA,x,V,1\nA,x,D,1.5\n",
            "rank",
            "rank 1.5 is not a whole number",
            2,
        ),
        (
            "respondent,postcode,Violence\nR1,a,5\n",
            "rating",
            "choose the respondent's area column",
            None,
        ),
        ("respondent,estate\nR1,a\n", "rating", "has no theme columns", None),
    ],
)
def test_bad_surveys_are_refused_with_row_and_reason(duck_engine, text, kind, problem, row):
    with pytest.raises(IngestError) as err:
        ingest_survey(duck_engine, text.encode(), file_name="bad.csv", kind=kind, layer=None)
    assert problem in str(err.value)
    assert err.value.row == row
    assert list_surveys(duck_engine).empty  # nothing half-loaded


def test_same_file_is_unchanged_and_a_new_version_replaces(duck_engine):
    first = ingest_survey(duck_engine, WIDE.encode(), file_name="s.csv", layer=None)
    again = ingest_survey(duck_engine, WIDE.encode(), file_name="s.csv", layer=None)
    assert (first.status, again.status) == ("loaded", "unchanged")
    shorter = "\n".join(WIDE.splitlines()[:3]) + "\n"
    third = ingest_survey(duck_engine, shorter.encode(), file_name="s.csv", layer=None)
    assert third.status == "replaced"
    assert load_answers(duck_engine, "s")["respondent"].nunique() == 2
    assert len(list_surveys(duck_engine)) == 1


def test_cli_ingest_survey(duck_engine, tmp_path, capsys):
    url = duck_engine.url.render_as_string(hide_password=False)
    path = tmp_path / "residents_2026.csv"
    path.write_text(WIDE, encoding="utf-8")
    assert main(["ingest", "survey", str(path), "--db", url, "--layer", ""]) == 0
    out = capsys.readouterr().out
    assert "survey 'residents_2026': loaded; 5 respondents, 13 answers on 3 themes" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent,estate,Violence\nR1,a,9\n", encoding="utf-8")
    assert main(["ingest", "survey", str(bad), "--db", url]) == 2
    assert "row 1" in capsys.readouterr().err
