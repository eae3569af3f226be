"""Workshop aggregation: hand-computed medians, spread, ranking and movement."""

import pandas as pd
import pytest

from csp_dash.analysis.workshop import (
    aggregate,
    disagreement,
    latest_submissions,
    live_ranking,
    movement,
)

T0 = "2025-02-12 10:00"
T1 = "2025-02-12 10:20"


def sub(participant, org, candidate, dimension, score, at=T0, comment=""):
    return {
        "participant": participant,
        "organisation": org,
        "candidate": candidate,
        "dimension": dimension,
        "score": score,
        "comment": comment,
        "submitted_at": at,
    }


def submissions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            sub("p1", "Police", "Violence", "physical", 5),
            sub("p1", "Police", "Violence", "community", 4),
            sub("p2", "Council", "Violence", "physical", 3),
            sub("p3", "Fire", "Violence", "physical", 1),
            # p1 re-submits Violence: physical 2, community left out
            sub("p1", "Police", "Violence", "physical", 2, at=T1, comment="changed my mind"),
            # p1's other candidate is untouched by the Violence re-submission
            sub("p1", "Police", "Drugs", "physical", 4),
        ]
    )


def test_resubmission_replaces_earlier_one():
    latest = latest_submissions(submissions())
    p1_violence = latest[(latest.participant == "p1") & (latest.candidate == "Violence")]
    assert list(p1_violence["score"]) == [2]
    assert list(p1_violence["comment"]) == ["changed my mind"]
    assert ((latest.participant == "p1") & (latest.candidate == "Drugs")).sum() == 1
    assert len(latest) == 4


def test_duplicate_dimension_within_a_submission_keeps_last_row():
    subs = pd.DataFrame(
        [sub("p1", "Police", "V", "trend", 2), sub("p1", "Police", "V", "trend", 4)]
    )
    assert list(latest_submissions(subs)["score"]) == [4]


def test_aggregate_by_hand():
    agg = aggregate(submissions()).set_index(["candidate", "dimension"])
    # Violence physical after the re-submission: 2, 3, 1 -> sorted 1, 2, 3
    # median 2; linear quartiles at positions 0.5 and 1.5 -> q1 1.5, q3 2.5; iqr 1
    row = agg.loc[("Violence", "physical")]
    assert row["n"] == 3 and row["median"] == 2
    assert row["q1"] == 1.5 and row["q3"] == 2.5 and row["iqr"] == 1
    assert row["min"] == 1 and row["max"] == 3
    # the re-submission dropped p1's community score entirely
    assert ("Violence", "community") not in agg.index
    assert agg.loc[("Drugs", "physical"), "n"] == 1


def test_aggregate_blank_scores_are_left_out_and_organisation_unit():
    subs = pd.DataFrame(
        [
            sub("p1", "Police", "ASB", "concern", 5),
            sub("p4", "Police", "ASB", "concern", 5),
            sub("p5", "Police", "ASB", "concern", 5),
            sub("p2", "Council", "ASB", "concern", 1),
            sub("p3", "Fire", "ASB", "concern", None),
        ]
    )
    # participants: 5, 5, 5, 1 -> median 5, n 4 (the blank is left out)
    by_person = aggregate(subs).iloc[0]
    assert by_person["n"] == 4 and by_person["median"] == 5
    # organisations: Police median 5, Council 1 -> median 3, n 2
    by_org = aggregate(subs, unit="organisation").iloc[0]
    assert by_org["n"] == 2 and by_org["median"] == 3


def test_disagreement_order():
    agg = pd.DataFrame(
        {
            "candidate": ["A", "A", "B", "B", "C"],
            "dimension": ["physical", "trend", "concern", "volume", "capacity"],
            "n": [4, 4, 4, 1, 3],
            "median": [3, 3, 3, 5, 3],
            "q1": [2, 2, 3, 5, 2.5],
            "q3": [4, 4, 3, 5, 3.5],
            "iqr": [2, 2, 0, 0, 1],
            "min": [1, 1, 1, 5, 2],
            "max": [4, 5, 5, 5, 4],
        }
    )
    out = disagreement(agg)
    # iqr 2 (ranges 4 then 3), then iqr 1, then iqr 0; B volume has n = 1 and is left out
    assert list(zip(out.candidate, out.dimension, strict=True)) == [
        ("A", "trend"),
        ("A", "physical"),
        ("C", "capacity"),
        ("B", "concern"),
    ]
    assert list(out["range"]) == [4, 3, 2, 4]
    # wide: IQR 2 (both A rows); B concern by its range of 4 though its IQR is 0; not C
    assert list(out["wide"]) == [True, True, False, True]
    assert len(disagreement(agg, min_n=1)) == 5


def partner_agg() -> pd.DataFrame:
    medians = {
        "X": {
            "physical": 4,
            "psychological": 4,
            "financial": 4,
            "community": 4,
            "capacity": 3,
            "capability": 3,
            "volume": 2,
        },
        "Y": {"capacity": 5, "capability": 5},
    }
    rows = [
        {"candidate": c, "dimension": d, "n": 3, "median": m}
        for c, dims in medians.items()
        for d, m in dims.items()
    ]
    return pd.DataFrame(rows)


DATA = pd.DataFrame(
    {"volume": [5, 1], "trend": [3, 1], "concern": [3, 1], "harm": [1, 5]},
    index=pd.Index(["X", "Y"], name="candidate"),
)


def test_live_ranking_partners_take_precedence():
    # X: harm 4 (partners), likelihood (2 partners + 3 data)/2 = 2.5, risk 10 -> 9/24 = .375
    #    concern .5, position 3 -> .5; priority .6*.375 + .2*.5 + .2*.5 = .425
    # Y: harm 5 (data harm fills all four), likelihood 1, risk 5 -> 4/24
    #    concern 0, position 5 -> 1; priority .6*4/24 + 0 + .2 = .3
    out = live_ranking(partner_agg(), DATA)
    assert list(out.index) == ["X", "Y"]
    assert out.loc["X", "priority"] == pytest.approx(0.425)
    assert out.loc["Y", "priority"] == pytest.approx(0.3)
    assert out.loc["Y", "harm"] == 5
    assert out.loc["X", "from_data"] == "concern, trend"
    assert "physical" in out.loc["Y", "from_data"]


def test_live_ranking_prefer_data_reorders():
    # X now takes volume 5 and harm 1 from data: harm 1, likelihood 4, risk 4 -> 3/24
    # priority .6*3/24 + .1 + .1 = .275 < Y's .3, so Y moves to the top
    out = live_ranking(partner_agg(), DATA, prefer="data")
    assert list(out.index) == ["Y", "X"]
    assert out.loc["X", "priority"] == pytest.approx(0.275)
    assert list(out["rank"]) == [1, 2]


def test_live_ranking_without_data_lists_missing():
    out = live_ranking(partner_agg(), None)
    assert pd.isna(out.loc["X", "priority"])  # nobody scored concern
    assert "concern" in out.loc["X", "missing"]


def test_movement_statuses():
    last = ["K", "B", "A", "C", "E", "D"]
    this = ["A", "B", "C", "D", "F", "K"]
    out = movement(this, last).set_index("candidate")
    # A 3 -> 1 up 2; B 2 -> 2 same; C 4 -> 3 up 1; D 6 -> 4 up 2; F new; K 1 -> 6 down 5
    assert out["status"].to_dict() == {
        "A": "up 2",
        "B": "same",
        "C": "up 1",
        "D": "up 2",
        "F": "new",
        "K": "down 5",
        "E": "dropped",
    }
    assert out.loc["K", "change"] == -5
    assert out.loc["E", "last_rank"] == 5 and pd.isna(out.loc["E", "rank"])
    assert pd.isna(out.loc["F", "last_rank"])
    assert list(out.index)[-1] == "E"
    with pytest.raises(ValueError, match="duplicate"):
        movement(["A", "A"], [])
