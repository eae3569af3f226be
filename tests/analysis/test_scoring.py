"""Priority scoring: hand-computed examples (workings in comments)."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from csp_dash.analysis.scoring import (
    DIMENSIONS,
    FORMULA_MARKDOWN,
    ScoringModel,
    propose_concern,
    propose_harm,
    propose_trend,
    propose_volume,
    score_candidates,
)


def three_candidates() -> pd.DataFrame:
    cols = [
        "physical",
        "psychological",
        "financial",
        "community",
        "volume",
        "trend",
        "concern",
        "capacity",
        "capability",
        "confidence",
    ]
    rows = {
        "A": [5, 4, 3, 4, 5, 3, 3, 4, 2, 2],
        "B": [2, 2, 2, 2, 2, 4, 5, 5, 5, 4],
        "C": [1, 1, 1, 1, 1, 1, 1, 1, 1, 5],
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols)


# Hand workings, default model (1-5 scales, weights 0.6 / 0.2 / 0.2, "can_act"):
# A: harm (5+4+3+4)/4 = 4; likelihood (5+3)/2 = 4; risk 16 -> (16-1)/24 = 0.625
#    concern (3-1)/4 = 0.5; position (4+2)/2 = 3 -> (3-1)/4 = 0.5
#    priority = 0.6*0.625 + 0.2*0.5 + 0.2*0.5 = 0.575
# B: harm 2; likelihood (2+4)/2 = 3; risk 6 -> 5/24; concern 1.0; position 5 -> 1.0
#    priority = 0.6*5/24 + 0.2 + 0.2 = 0.525
# C: everything at the floor -> risk 1 -> 0, concern 0, position 0 -> priority 0
def test_three_candidates_by_hand():
    out = score_candidates(three_candidates())
    assert list(out.index) == ["A", "B", "C"]
    assert out.loc["A", "harm"] == 4 and out.loc["A", "likelihood"] == 4
    assert out.loc["A", "risk"] == 16 and out.loc["B", "risk"] == 6 and out.loc["C", "risk"] == 1
    assert out.loc["A", "position"] == 3
    assert out.loc["A", "priority"] == pytest.approx(0.575)
    assert out.loc["B", "priority"] == pytest.approx(0.6 * 5 / 24 + 0.4)
    assert out.loc["C", "priority"] == pytest.approx(0.0)
    assert list(out["rank"]) == [1, 2, 3]
    # confidence is carried through but not multiplied in
    assert out.loc["C", "confidence"] == 5
    assert (out["missing"] == "").all()


# Weights 1 / 1 / 2 (total 4) and the MoRiLE "gap" direction (position' = 1 - position'):
# A: (0.625 + 0.5 + 2*0.5) / 4 = 0.53125
# B: (5/24 + 1.0 + 2*0) / 4 = 0.3020833
# C: (0 + 0 + 2*1) / 4 = 0.5          -> order A, C, B
# and with "can_act": B = (5/24 + 1 + 2) / 4 = 0.8020833, A 0.53125, C 0 -> B, A, C
def test_weights_are_divided_by_total_and_direction_flips_position():
    gap = ScoringModel(w_risk=1, w_concern=1, w_position=2, position_direction="gap")
    out = score_candidates(three_candidates(), gap)
    assert list(out.index) == ["A", "C", "B"]
    assert out.loc["A", "priority"] == pytest.approx(0.53125)
    assert out.loc["B", "priority"] == pytest.approx((5 / 24 + 1) / 4)
    assert out.loc["C", "priority"] == pytest.approx(0.5)

    can_act = ScoringModel(w_risk=1, w_concern=1, w_position=2)
    out = score_candidates(three_candidates(), can_act)
    assert list(out.index) == ["B", "A", "C"]
    assert out.loc["B", "priority"] == pytest.approx((5 / 24 + 3) / 4)


def test_non_default_scale_normalises_by_its_range():
    # concern on 0-10: a concern of 5 is half way -> 0.5; only concern weighted
    scales = {d: (1.0, 5.0) for d in DIMENSIONS}
    scales["concern"] = (0.0, 10.0)
    model = ScoringModel(scales=scales, w_risk=0, w_concern=1, w_position=0)
    df = three_candidates().loc[["A"]].assign(concern=5)
    assert score_candidates(df, model).loc["A", "priority"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="concern"):
        score_candidates(three_candidates().assign(concern=11), model)


def test_missing_group_ranks_last_and_is_listed():
    df = three_candidates()
    df.loc["A", ["capacity", "capability"]] = np.nan  # no position at all
    df.loc["B", "financial"] = np.nan  # harm mean of the other three: 2
    out = score_candidates(df)
    assert list(out.index) == ["B", "C", "A"]
    assert pd.isna(out.loc["A", "priority"]) and pd.isna(out.loc["A", "rank"])
    assert out.loc["A", "missing"] == "capacity, capability"
    assert out.loc["B", "harm"] == 2 and out.loc["B", "missing"] == "financial"
    assert out.loc["B", "rank"] == 1


def test_out_of_scale_raises():
    with pytest.raises(ValueError, match="physical"):
        score_candidates(three_candidates().assign(physical=6))


def test_model_round_trips_through_json_and_validates():
    scales = {d: (1.0, 5.0) for d in DIMENSIONS}
    scales["trend"] = (0.0, 10.0)
    model = ScoringModel(
        scales=scales, w_risk=0.5, w_concern=0.3, w_position=0.2, position_direction="gap"
    )
    back = ScoringModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert back == model
    assert back.scale("trend") == (0.0, 10.0)
    # left-out keys take defaults
    partial = ScoringModel.from_dict({"w_risk": 2})
    assert partial.w_risk == 2 and partial.w_concern == 0.2 and partial.scale("volume") == (1, 5)
    with pytest.raises(ValueError):
        ScoringModel(w_risk=0, w_concern=0, w_position=0)
    with pytest.raises(ValueError):
        ScoringModel.from_dict({"scales": {"volume": [5, 1]}})
    with pytest.raises(ValueError):
        ScoringModel.from_dict({"scales": {"fear": [1, 5]}})
    with pytest.raises(ValueError):
        ScoringModel(position_direction="sideways")  # type: ignore[arg-type]


def test_formula_markdown_documents_choices():
    for phrase in ("harm × likelihood", "Confidence", "MoRiLE", "z ≥ 2 → 5", "quintile"):
        assert phrase in FORMULA_MARKDOWN


def test_propose_volume_quintiles():
    # 5 distinct values: ranks 1,5,2,4,3 -> percentile (r-1)/4 = 0,1,.25,.75,.5
    # -> 1 + floor(5p) capped at 5 = 1,5,2,4,3
    vol = pd.Series([10, 50, 20, 40, 30], index=list("abcde"))
    out = propose_volume(vol)
    assert list(out["score"]) == [1, 5, 2, 4, 3]
    assert "percentile 100 of 5" in out.loc["b", "evidence"]
    # 10 values: p = (r-1)/9; 5p = 0, .56, 1.1, 1.7, 2.2, 2.8, 3.3, 3.9, 4.4, 5 -> two per quintile
    out10 = propose_volume(pd.Series(range(1, 11)))
    assert list(out10["score"]) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # ties share the mid-rank: [5, 5, 1] -> ranks 2.5, 2.5, 1 -> p .75, .75, 0 -> 4, 4, 1
    assert list(propose_volume(pd.Series([5, 5, 1]))["score"]) == [4, 4, 1]


def test_propose_volume_edge_cases():
    out = propose_volume(pd.Series([3.0, np.nan, 9.0], index=["x", "y", "z"]))
    assert out.loc["x", "score"] == 1 and out.loc["z", "score"] == 5
    assert math.isnan(out.loc["y", "score"]) and out.loc["y", "evidence"] == "no data"
    assert propose_volume(pd.Series([7], index=["only"])).loc["only", "score"] == 3


def test_propose_harm_quintiles_with_evidence():
    harm = pd.Series({"Violence": 900.5, "Drugs": 100.0, "ASB": 300.0})
    out = propose_harm(harm)
    # p = 1, 0, .5 -> 5, 1, 3
    assert out["score"].to_dict() == {"Violence": 5, "Drugs": 1, "ASB": 3}
    assert "harm-weighted total 900.5" in out.loc["Violence", "evidence"]


def test_propose_trend_bands():
    z = pd.Series([-3, -2, -1.5, -1, 0, 1, 1.5, 2, 2.5, np.nan])
    out = propose_trend(z)
    expected = [1, 1, 2, 3, 3, 3, 4, 5, 5]
    assert list(out["score"][:9]) == expected
    assert math.isnan(out["score"].iloc[9])
    # counts 100 -> 144: z = 2(sqrt 144 - sqrt 100) = 2(12 - 10) = 4 -> significant rise
    z_hand = 2 * (math.sqrt(144) - math.sqrt(100))
    one = propose_trend(pd.Series({"Burglary": z_hand}))
    assert one.loc["Burglary", "score"] == 5
    assert one.loc["Burglary", "evidence"] == "Poisson z = +4.00: significant rise"
    # band 4 onto a 0-10 scale: 0 + 3 * 10/4 = 7.5
    assert propose_trend(pd.Series([1.5]), scale=(0, 10))["score"].iloc[0] == 7.5


def test_propose_concern_long_wide_and_rank():
    # Violence answers 5, 4, 3 -> mean 4 on 1-5 -> 4; Drugs 2, 2 -> 2
    long = pd.DataFrame({"theme": ["Violence"] * 3 + ["Drugs"] * 2, "concern": [5, 4, 3, 2, 2]})
    out = propose_concern(long)
    assert out.loc["Violence", "score"] == pytest.approx(4)
    assert out.loc["Drugs", "score"] == pytest.approx(2)
    assert out.loc["Violence", "evidence"] == "mean 4.00 on 1-5 from 3 answers"
    # 0-10 survey, wide: ASB answers 10, 5 (and a blank) -> mean 7.5 -> 1 + 0.75*4 = 4
    wide = pd.DataFrame({"ASB": [10, 5, np.nan], "respondent_area": ["n", "s", "e"]})
    out = propose_concern(wide, survey_scale=(0, 10))
    assert list(out.index) == ["ASB"]
    assert out.loc["ASB", "score"] == pytest.approx(4)
    # rank question over 3 themes, 1 = most concern: mean rank 1 -> 5, 2 -> 3, 3 -> 1
    ranks = pd.DataFrame({"theme": ["V", "V", "D", "D", "A", "A"], "concern": [1, 1, 2, 2, 3, 3]})
    out = propose_concern(ranks, survey_scale=(1, 3), higher_is_more_concern=False)
    assert out["score"].to_dict() == {"A": 1, "D": 3, "V": 5}
    with pytest.raises(ValueError, match="outside"):
        propose_concern(long, survey_scale=(1, 4))


def test_proposals_feed_score_candidates():
    # Proposals and partner scores combine; B has the higher volume and harm.
    vol = propose_volume(pd.Series({"A": 10, "B": 90}))["score"]
    harm = propose_harm(pd.Series({"A": 5.0, "B": 50.0}))["score"]
    df = pd.DataFrame({"volume": vol, "trend": 3, "concern": 3, "capacity": 3, "capability": 3})
    for d in ("physical", "psychological", "financial", "community"):
        df[d] = harm
    out = score_candidates(df)
    # B: harm 5, likelihood (5+3)/2 = 4, risk 20; A: harm 1, likelihood 2, risk 2
    assert list(out.index) == ["B", "A"]
    assert out.loc["B", "risk"] == 20 and out.loc["A", "risk"] == 2
