"""Workshops in the database: frozen evidence, submissions stored once, history, the live view."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from csp_dash.analysis.scoring import ScoringModel
from csp_dash.db.schema_priorities import workshop_scores, workshop_submissions
from csp_dash.priorities.agreed import AgreedItem, agreed_list, record_agreed_list
from csp_dash.priorities.workshop.results import summary_display, workshop_results
from csp_dash.priorities.workshop.sessions import (
    data_scores_of,
    get_workshop,
    list_workshops,
    open_workshop,
    proposals_of,
)
from csp_dash.priorities.workshop.submissions import (
    Submission,
    SubmissionRefused,
    participant_key,
    participants,
    submissions,
    submit,
)

T0 = datetime(2026, 2, 12, 10, 0)


def open_one(engine, dims=("physical", "capacity")) -> str:
    cands = pd.DataFrame(
        {
            "candidate_id": ["a", "b"],
            "name": ["Violence", "County lines"],
            "link": ["theme: Violence", "no data link"],
        }
    )
    # The frozen working scores: every dimension for Violence, none for County lines.
    scores = pd.DataFrame(
        {
            "physical": [4.0],
            "psychological": [4.0],
            "financial": [4.0],
            "community": [4.0],
            "volume": [5.0],
            "trend": [3.0],
            "concern": [3.0],
            "capacity": [2.0],
            "capability": [2.0],
            "confidence": [4.0],
        },
        index=pd.Index(["a"], name="candidate_id"),
    )
    evidence = pd.DataFrame({"volume": ["1,200 recorded"], "trend": ["z = 0"]}, index=["a"])
    return open_workshop(
        engine,
        2026,
        "Workshop 2026",
        cands,
        scores,
        evidence,
        ScoringModel(),
        dims,
        "latest 12 months",
        volume=pd.Series({"a": 1200.0}),
    )


def sub(wid, who, org, cand, scores, at, comment=None, sid=None) -> Submission:
    kwargs = {"submission_id": sid} if sid else {}
    return Submission(wid, who, org, cand, scores, comment, submitted_at=at, **kwargs)


def test_open_freezes_candidates_model_and_evidence(engine):
    wid = open_one(engine)
    ws = get_workshop(engine, wid)
    assert (ws.year, ws.status, ws.dimensions) == (2026, "open", ("physical", "capacity"))
    assert ws.model == ScoringModel()
    props = proposals_of(engine, wid).set_index(["candidate_id", "dimension"])
    assert props.loc[("a", "volume"), "evidence"] == "1,200 recorded"
    assert props.loc[("a", "volume"), "volume"] == 1200.0
    assert data_scores_of(engine, wid).loc["a", "capacity"] == 2.0
    assert list(list_workshops(engine)["workshop_id"]) == [wid]
    assert get_workshop(engine, "nope") is None
    with pytest.raises(ValueError, match="choose the dimensions"):
        open_one(engine, dims=("pace",))


def test_resubmission_replaces_in_the_aggregate_and_history_keeps_both(engine):
    wid = open_one(engine)
    assert submit(engine, sub(wid, "Ann", "Police", "a", {"physical": 2, "capacity": 3}, T0))
    assert submit(engine, sub(wid, "Bob", "Council", "a", {"physical": 4}, T0))
    assert submit(engine, sub(wid, "Cat", "Fire", "a", {"physical": 5}, T0, "serious"))
    # Ann changes her mind ten minutes later (same person: case and spacing ignored)
    assert submit(
        engine, sub(wid, " ann ", "POLICE", "a", {"physical": 5}, T0 + timedelta(minutes=10))
    )
    history = submissions(engine, wid)
    assert len(history.drop_duplicates("submission_id")) == 4
    ann = history[history["participant"] == participant_key("Ann", "Police")]
    assert sorted(ann["score"]) == [2.0, 3.0, 5.0]  # both submissions kept
    res = workshop_results(engine, wid)
    agg = res.aggregate.set_index(["candidate", "dimension"])
    # Latest physical scores 5 (Ann), 4, 5: median 5; numpy linear quartiles of [4, 5, 5]:
    # q1 at position 0.5 -> 4.5, q3 at 1.5 -> 5; IQR 0.5
    assert agg.loc[("a", "physical"), "n"] == 3
    assert agg.loc[("a", "physical"), "median"] == 5
    assert agg.loc[("a", "physical"), "iqr"] == pytest.approx(0.5)
    # Ann's re-submission left capacity out, so her earlier capacity no longer counts
    assert ("a", "capacity") not in agg.index
    assert res.n_participants == 3
    assert res.summary.loc["a", "n_scored"] == 3 and res.summary.loc["b", "n_scored"] == 0
    assert summary_display(res).iloc[0]["Harm: physical"] == "5 (IQR 0.5)"
    assert list(res.comments["comment"]) == ["serious"]


def test_live_ranking_uses_partner_medians_over_the_frozen_scores(engine):
    wid = open_one(engine)
    for who, score in (("Ann", 1), ("Bob", 3), ("Cat", 5)):
        submit(engine, sub(wid, who, "Org " + who, "a", {"physical": score, "capacity": 5}, T0))
    rank = workshop_results(engine, wid).ranking
    # Violence: physical = partners' median 3, other harm from the frozen 4s: harm 15/4 = 3.75;
    # likelihood (5 + 3)/2 = 4; risk 15 -> 14/24; concern 3 -> 0.5; capacity 5 (partners) with
    # capability 2 (frozen): position 3.5 -> 0.625. Priority 0.6 x 14/24 + 0.1 + 0.125 = 0.575
    assert rank.loc["a", "priority"] == pytest.approx(0.575)
    assert rank.loc["a", "harm"] == pytest.approx(3.75)
    assert rank.index[-1] == "b" and pd.isna(rank.loc["b", "priority"])
    dis = workshop_results(engine, wid).disagreement
    # physical 1, 3, 5: quartiles 2 and 4, IQR 2, range 4; capacity 5, 5, 5: IQR 0
    assert list(dis["dimension"]) == ["physical", "capacity"]
    assert list(dis["iqr"]) == [2.0, 0.0] and dis["range"].iloc[0] == 4
    assert dis["name"].iloc[0] == "Violence"
    assert rank.loc["a", "name"] == "Violence" and rank.loc["a", "n_scored"] == 3


def test_a_retry_of_the_same_submission_is_stored_once(engine):
    wid = open_one(engine)
    s = sub(wid, "Ann", "Police", "a", {"physical": 2, "capacity": 3}, T0)
    assert submit(engine, s) is True
    assert submit(engine, s) is False  # the reply was lost and the client sent it again
    with engine.connect() as conn:
        heads = conn.execute(select(func.count()).select_from(workshop_submissions)).scalar()
        rows = conn.execute(select(func.count()).select_from(workshop_scores)).scalar()
    assert (heads, rows) == (1, 2)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"participant": " "}, "enter your name and organisation"),
        ({"scores": {"physical": 6}}, "between 1 and 5"),
        ({"scores": {"trend": 3}}, "'trend' is not scored at this workshop"),
        ({"scores": {"physical": None}}, "score at least one dimension"),
        ({"candidate_id": "zz"}, "not part of this workshop"),
        ({"workshop_id": "nope"}, "does not exist"),
        ({"submission_id": "not-a-uuid"}, "must be a UUID"),
    ],
)
def test_bad_submissions_are_refused(duck_engine, change, message):
    wid = open_one(duck_engine)
    fields = {
        "workshop_id": wid,
        "participant": "Ann",
        "organisation": "Police",
        "candidate_id": "a",
        "scores": {"physical": 3},
    }
    fields.update(change)
    with pytest.raises(SubmissionRefused, match=message):
        submit(duck_engine, Submission(**fields))
    assert submissions(duck_engine, wid).empty


def test_closing_stores_the_agreed_list_and_refuses_later_scores(engine):
    wid = open_one(engine)
    submit(engine, sub(wid, "Ann", "Police", "a", {"physical": 4}, T0))
    with pytest.raises(ValueError, match="give the rationale for priority 2"):
        record_agreed_list(
            engine, 2026, [AgreedItem("Violence", "Rising"), AgreedItem("Drugs")], wid, close=True
        )
    assert get_workshop(engine, wid).is_open  # nothing changed
    record_agreed_list(
        engine,
        2026,
        [AgreedItem("Violence", "Rising harm", 0.7), AgreedItem("County lines", "Exploitation")],
        wid,
        close=True,
    )
    assert get_workshop(engine, wid).status == "closed"
    agreed = agreed_list(engine, 2026)
    assert list(agreed["name"]) == ["Violence", "County lines"]
    assert list(agreed["rationale"]) == ["Rising harm", "Exploitation"]
    assert agreed["priority_score"].iloc[0] == pytest.approx(0.7)
    with pytest.raises(SubmissionRefused, match="closed"):
        submit(engine, sub(wid, "Bob", "Council", "a", {"physical": 1}, T0))
    people = participants(engine, wid)
    assert list(people["name"]) == ["Ann"] and people["submissions"].iloc[0] == 1


def test_cli_workshop_results(duck_engine, capsys):
    from csp_dash.cli.commands import main

    wid = open_one(duck_engine)
    for who, score in (("Ann", 2), ("Bob", 4)):
        submit(duck_engine, sub(wid, who, "Police", "a", {"physical": score}, T0))
    url = duck_engine.url.render_as_string(hide_password=False)
    assert main(["workshop-results", wid, "--db", url, "--what", "summary"]) == 0
    out = capsys.readouterr()
    assert "2 participants" in out.err
    lines = out.out.splitlines()
    # medians of 2 and 4: 3; numpy quartiles 2.5 and 3.5: IQR 1
    assert lines[1].startswith("Violence,2,3 (IQR 1)")


def test_one_page_summary_after_closing(duck_engine, capsys):
    from csp_dash.cli.commands import main

    wid = open_one(duck_engine)
    submit(duck_engine, sub(wid, "Ann", "Police", "a", {"physical": 4, "capacity": 4}, T0))
    url = duck_engine.url.render_as_string(hide_password=False)
    assert main(["workshop-results", wid, "--db", url, "--what", "onepage"]) == 2  # not closed
    capsys.readouterr()
    record_agreed_list(duck_engine, 2026, [AgreedItem("Violence", "Rising harm")], wid, close=True)
    assert main(["workshop-results", wid, "--db", url, "--what", "onepage"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "Rising harm" in page and "Community safety priorities 2026" in page
    assert "1 partner scored" in page
