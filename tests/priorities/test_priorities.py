"""Candidates, stored models, data-driven proposals and the ranked table, on a crafted cube."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import insert

from csp_dash import harm
from csp_dash.analysis.scoring import HARM_DIMENSIONS, ScoringModel
from csp_dash.cli.commands import main
from csp_dash.db.schema import cube
from csp_dash.ingest.survey import ingest_survey
from csp_dash.priorities.candidates import (
    add_issue,
    list_candidates,
    seed_theme_candidates,
    set_active,
    set_link,
)
from csp_dash.priorities.models import (
    analyst_score_grid,
    load_model,
    reset_model,
    save_model,
    set_analyst_scores,
)
from csp_dash.priorities.proposals import propose_from_data
from csp_dash.priorities.table import display_table, ranked_table, working_scores

END = date(2025, 12, 1)
# Monthly counts (current year 2025, previous year 2024) per category, one per theme.
MONTHLY = {
    "Violence and sexual offences": (100, 81),  # 1200 vs 972
    "Anti-social behaviour": (50, 50),  # 600 vs 600
    "Burglary": (30, 25),  # 360 vs 300
    "Drugs": (10, 10),  # 120 vs 120
    "Other crime": (4, 9),  # 48 vs 108
}


def load_cube(engine) -> None:
    rows = []
    for category, (cur, prev) in MONTHLY.items():
        for year, n in ((2025, cur), (2024, prev)):
            for m in range(1, 13):
                rows.append(
                    {
                        "source": "police",
                        "month": date(year, m, 1),
                        "layer": "all",
                        "area_code": "all",
                        "category": category,
                        "count": n,
                    }
                )
    # A partner dataset in the cube: 20 a month in 2025, 10 a month in 2024.
    for year, n in ((2025, 20), (2024, 10)):
        for m in range(1, 13):
            rows.append(
                {
                    "source": "da_referrals",
                    "month": date(year, m, 1),
                    "layer": "all",
                    "area_code": "all",
                    "category": "Domestic abuse",
                    "count": n,
                }
            )
    with engine.begin() as conn:
        conn.execute(insert(cube), rows)


def ids(engine) -> pd.Series:
    return list_candidates(engine).set_index("name")["candidate_id"]


def test_one_candidate_per_theme_seeded_once_and_retired_stays_retired(engine):
    added = seed_theme_candidates(engine)
    assert added == ["Violence", "Acquisitive crime", "ASB and disorder", "Drugs", "Other crime"]
    assert seed_theme_candidates(engine) == []
    cands = list_candidates(engine)
    assert (cands["series_kind"] == "theme").all()
    assert list(cands["series_value"]) == list(cands["name"])
    set_active(engine, ids(engine)["Other crime"], False)
    assert seed_theme_candidates(engine) == []
    assert "Other crime" not in set(list_candidates(engine)["name"])
    assert "Other crime" in set(list_candidates(engine, include_retired=True)["name"])


def test_free_text_issues_and_links(engine):
    seed_theme_candidates(engine)
    cid = add_issue(engine, "  County   lines ", description="Exploitation")
    with pytest.raises(ValueError, match="already a candidate"):
        add_issue(engine, "county lines")
    with pytest.raises(ValueError, match="needs a name"):
        add_issue(engine, "   ")
    with pytest.raises(ValueError, match="a data link is one of"):
        add_issue(engine, "Car cruising", "postcode", "X")
    row = list_candidates(engine).set_index("candidate_id").loc[cid]
    assert (row["name"], row["kind"], row["link"]) == ("County lines", "issue", "no data link")
    set_link(engine, cid, "category", "Drugs")
    assert list_candidates(engine).set_index("candidate_id").loc[cid, "link"] == "category: Drugs"
    set_active(engine, cid, False)
    assert add_issue(engine, "County lines") == cid  # a retired candidate comes back


def test_model_is_stored_and_validated(engine):
    assert load_model(engine) == ScoringModel()
    model = ScoringModel(w_risk=2, w_concern=1, w_position=1, position_direction="gap")
    save_model(engine, model)
    assert load_model(engine) == model
    with pytest.raises(ValueError, match="whole numbers"):
        scales = dict(ScoringModel().scales, volume=(0.5, 5.0))
        save_model(engine, ScoringModel(scales=scales))
    seed_theme_candidates(engine)
    set_analyst_scores(engine, ids(engine)["Drugs"], {"capacity": 5})
    with pytest.raises(ValueError, match="outside the new scales"):
        save_model(engine, ScoringModel(scales=dict(ScoringModel().scales, capacity=(1.0, 4.0))))
    reset_model(engine)
    assert load_model(engine) == ScoringModel()


def test_analyst_scores_are_checked_and_cleared(engine):
    seed_theme_candidates(engine)
    cid = ids(engine)["Drugs"]
    set_analyst_scores(engine, cid, {"capacity": 4, "capability": 2})
    with pytest.raises(ValueError, match="between 1 and 5"):
        set_analyst_scores(engine, cid, {"capacity": 6})
    set_analyst_scores(engine, cid, {"capacity": None})  # cleared; capability kept
    grid = analyst_score_grid(engine)
    assert pd.isna(grid.loc[cid, "capacity"]) and grid.loc[cid, "capability"] == 2


def test_proposals_from_the_cube_by_hand(engine):
    load_cube(engine)
    seed_theme_candidates(engine)
    add_issue(engine, "County lines")
    add_issue(engine, "DA referrals", "dataset", "da_referrals")
    cands = list_candidates(engine)
    props = propose_from_data(engine, cands, END, scheme="equal")
    name = cands.set_index("candidate_id")["name"]
    facts = props.facts.rename(index=name)
    scores = props.scores.rename(index=name)
    evidence = props.evidence.rename(index=name)
    assert facts.loc["Violence", "current"] == 1200 and facts.loc["Violence", "previous"] == 972
    # z = 2(sqrt 1200 - sqrt 972) = 2(34.641 - 31.177) = 6.928: a significant rise, trend 5
    assert facts.loc["Violence", "z"] == pytest.approx(6.9282, abs=1e-3)
    assert scores.loc["Violence", "trend"] == 5
    assert scores.loc["Drugs", "trend"] == 3  # 120 vs 120: z = 0
    assert scores.loc["Other crime", "trend"] == 1  # 48 vs 108: z = -6.93
    # DA referrals 240 vs 120: z = 2(15.492 - 10.954) = 9.08: trend 5
    assert scores.loc["DA referrals", "trend"] == 5
    # Volumes among the 6 linked candidates: 1200, 600, 360, 240, 120, 48.
    # Percentile = (rank - 1) / 5: 1, .8, .6, .4, .2, 0 -> 1 + min(4, floor(5p)) = 5, 5, 4, 3, 2, 1
    expected = {
        "Violence": 5,
        "ASB and disorder": 5,
        "Acquisitive crime": 4,
        "DA referrals": 3,
        "Drugs": 2,
        "Other crime": 1,
    }
    assert scores.loc[list(expected), "volume"].to_dict() == expected
    assert pd.isna(scores.loc["County lines", "volume"])
    assert evidence.loc["County lines", "volume"] == "no data"
    # Equal weights: harm = count among the 5 police-linked candidates (1200, 600, 360, 120, 48):
    # percentiles 1, .75, .5, .25, 0 -> 5, 4, 3, 2, 1; partner data carries no harm weights.
    assert scores.loc["Violence", "harm"] == 5 and scores.loc["Other crime", "harm"] == 1
    assert scores.loc["Drugs", "harm"] == 2
    assert pd.isna(scores.loc["DA referrals", "harm"])
    assert evidence.loc["DA referrals", "harm"] == "no harm weights for partner data"
    for dim in HARM_DIMENSIONS:
        assert scores.loc["Acquisitive crime", dim] == 3
    assert "Poisson z = +6.93" in evidence.loc["Violence", "trend"]
    assert props.missing_months == []


def test_harm_totals_use_the_scheme_weights(engine):
    load_cube(engine)
    seed_theme_candidates(engine)
    cands = list_candidates(engine)
    props = propose_from_data(engine, cands, END, scheme="css")
    total = props.facts.rename(index=cands.set_index("candidate_id")["name"])["harm_total"]
    w = harm.default_weights("css")
    # ASB and disorder: 600 ASB incidents x the ASB weight (0 in CSS: excluded)
    assert total["ASB and disorder"] == pytest.approx(600 * w["Anti-social behaviour"])
    assert total["Violence"] == pytest.approx(1200 * w["Violence and sexual offences"])


def test_concern_proposal_matches_theme_and_name(engine):
    load_cube(engine)
    seed_theme_candidates(engine)
    add_issue(engine, "County lines")
    add_issue(engine, "Burglary", "category", "Burglary")
    survey = (
        "respondent,area,Violence,County lines,Acquisitive crime\nA,x,5,3,2\nB,x,4,5,2\nC,x,3,,2\n"
    )
    ingest_survey(engine, survey.encode(), file_name="s.csv", layer=None)
    cands = list_candidates(engine)
    props = propose_from_data(engine, cands, END, scheme="equal")
    name = cands.set_index("candidate_id")["name"]
    concern = props.scores["concern"].rename(index=name)
    assert concern["Violence"] == pytest.approx(4.0)  # mean of 5, 4, 3
    assert concern["County lines"] == pytest.approx(4.0)  # by name: mean of 3, 5
    assert concern["Burglary"] == pytest.approx(2.0)  # its theme's concern
    assert (
        "its theme, Acquisitive crime" in props.evidence["concern"].rename(index=name)["Burglary"]
    )
    assert pd.isna(concern["Drugs"])
    assert props.evidence["concern"].rename(index=name)["Drugs"] == "not asked in the survey"


def test_ranked_table_by_hand_and_analyst_override(engine):
    load_cube(engine)
    seed_theme_candidates(engine)
    ingest_survey(
        engine, b"respondent,area,Violence\nA,x,5\nB,x,4\nC,x,3\n", file_name="s.csv", layer=None
    )
    cands = list_candidates(engine)
    cid = ids(engine)["Violence"]
    for c in cands["candidate_id"]:
        set_analyst_scores(engine, c, {"capacity": 3, "capability": 3})
    model = ScoringModel()
    props = propose_from_data(engine, cands, END, scheme="equal", model=model)
    ranked = ranked_table(cands, props, analyst_score_grid(engine), model).set_index("name")
    # Violence: harm 5 (all four from the data), likelihood mean(volume 5, trend 5) = 5,
    # risk 25 -> (25 - 1)/24 = 1; concern 4 -> 3/4; position 3 -> 2/4.
    # priority = 0.6 x 1 + 0.2 x 0.75 + 0.2 x 0.5 = 0.85
    assert ranked.loc["Violence", "priority"] == pytest.approx(0.85)
    assert ranked.loc["Violence", "rank"] == 1
    assert ranked.loc["Violence", "from_analyst"] == "capacity, capability"
    assert pd.isna(ranked.loc["Drugs", "priority"])  # no concern: not asked
    assert "concern" in ranked.loc["Drugs", "missing"]
    set_analyst_scores(engine, cid, {"volume": 1})
    again = ranked_table(cands, props, analyst_score_grid(engine), model).set_index("name")
    # Override volume 1: likelihood (1 + 5)/2 = 3, risk 15 -> 14/24; 0.6 x 14/24 + 0.15 + 0.1 = 0.6
    assert again.loc["Violence", "priority"] == pytest.approx(0.6)
    assert "volume" in again.loc["Violence", "from_analyst"]
    _, source = working_scores(props, analyst_score_grid(engine), pd.Index(cands["candidate_id"]))
    assert source.loc[cid, "volume"] == "analyst" and source.loc[cid, "trend"] == "data"
    shown = display_table(again.reset_index())
    assert shown.columns[:3].tolist() == ["Rank", "Candidate priority", "Data series"]


def test_cli_priorities_prints_the_ranked_list(duck_engine, capsys):
    load_cube(duck_engine)
    url = duck_engine.url.render_as_string(hide_password=False)
    assert main(["priorities", "--db", url, "--format", "json", "--scheme", "equal"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["Candidate priority"] for r in rows} == {
        "Violence",
        "Acquisitive crime",
        "ASB and disorder",
        "Drugs",
        "Other crime",
    }
    vol = {r["Candidate priority"]: r["Count in the period"] for r in rows}
    assert vol["Acquisitive crime"] == 360  # Burglary's 30 a month
