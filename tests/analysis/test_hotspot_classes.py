"""Hotspot classes across periods, following sfhotspot's hotspot_classify (worked by hand)."""

import numpy as np
import pandas as pd
import pytest
from libpysal.weights import lat2W

from csp_dash.analysis.gistar import gi_star
from csp_dash.analysis.hotspot_classes import (
    CLASSES,
    class_counts,
    classify_hotspots,
    period_signal,
)

# Ten periods, oldest first. recent = floor(0.2 * 10) = 2 (periods 9-10); older = 1-8.
# Defaults: hotspot_prop 0.1, persistent_prop 0.8, recent_prop 0.2.
CASES = {
    # all 8/10 = 0.8 >= 0.8 -> persistent (checked first, although recent share is 0)
    "persistent hotspot": [1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
    # older 0/8 = 0 < 0.1 and recent 1/2 = 0.5 >= 0.2 -> emerging
    "emerging hotspot": [0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    # older 1/8 = 0.125 >= 0.1 and recent 0/2 = 0 < 0.1 -> former
    "former hotspot": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    # older 0.125 (not emerging), recent 0.5 (not former), all 2/10 = 0.2 >= 0.1
    "intermittent hotspot": [1, 0, 0, 0, 0, 0, 0, 0, 1, 0],
    "persistent coldspot": [-1, -1, -1, -1, -1, -1, -1, -1, -1, 0],
    "emerging coldspot": [0, 0, 0, 0, 0, 0, 0, 0, -1, -1],
    "former coldspot": [0, 0, 0, -1, -1, 0, 0, 0, 0, 0],
    "intermittent coldspot": [0, -1, 0, 0, 0, 0, 0, 0, 0, -1],
    # hot: former (older 1/8, recent 0); cold: emerging (older 0, recent 1/2) -> mixed
    "mixed hot/coldspot": [1, 0, 0, 0, 0, 0, 0, 0, 0, -1],
    "no pattern": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
}


def _frame(rows: dict) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=[f"p{i}" for i in range(1, 11)])


@pytest.mark.parametrize("expected", list(CASES))
def test_each_class(expected):
    result = classify_hotspots(_frame({"cell": CASES[expected]}))
    assert result["cell"] == expected


def test_all_classes_at_once_and_covered():
    sig = _frame(CASES)
    result = classify_hotspots(sig)
    assert list(result.index) == list(CASES)
    assert list(result) == list(CASES)
    assert set(CASES) == set(CLASSES)


def test_missing_periods_count_as_not_significant():
    # R: rowSums(..., na.rm = TRUE) / ncol. Row hot in 7 of 10, one NaN: 0.7 < 0.8, so not
    # persistent; older 6/8 >= 0.1 and recent 1/2 >= 0.1 -> intermittent.
    row = [1, 1, 1, 1, 1, 1, np.nan, 0, 1, 0]
    assert classify_hotspots(_frame({"c": row}))["c"] == "intermittent hotspot"


def test_sfhotspot_window_reproduces_the_r_arithmetic():
    # Hot only in period 8 of 10 (k = 2 recent).
    # Documented windows: older = 1-8 -> 1/8 = 0.125 >= 0.1; recent = 9-10 -> 0 < 0.1
    #   -> former hotspot.
    # R code: recent = columns (10-2):10 = 8, 9, 10 summed / 2 = 0.5; older = 1:8 -> 0.125.
    #   emerging? 0.125 < 0.1 no. former? 0.5 < 0.1 no. intermittent: 1/10 >= 0.1 yes.
    sig = _frame({"c": [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]})
    assert classify_hotspots(sig)["c"] == "former hotspot"
    assert classify_hotspots(sig, sfhotspot_window=True)["c"] == "intermittent hotspot"


def test_short_series_uses_one_recent_period():
    # 3 periods: floor(0.2 * 3) = 0 -> 1 recent period (as sfhotspot), 2 older.
    # older 0/2 < 0.1, recent 1/1 >= 0.2 -> emerging.
    sig = pd.DataFrame({"a": [0], "b": [0], "c": [1]})
    assert classify_hotspots(sig).iloc[0] == "emerging hotspot"
    with pytest.raises(ValueError, match="two or more"):
        classify_hotspots(pd.DataFrame({"a": [1]}))
    with pytest.raises(ValueError, match=r"\+1, -1 or 0"):
        classify_hotspots(pd.DataFrame({"a": [2], "b": [0]}))
    with pytest.raises(ValueError, match="between 0 and 1"):
        classify_hotspots(sig, persistent_prop=1.0)


def test_period_signal():
    gi = pd.DataFrame(
        {"gi_z": [3.1, -2.5, 2.0, np.nan, 1.0], "p_fdr": [0.01, 0.04, 0.2, np.nan, 0.05]},
        index=list("abcde"),
    )
    assert period_signal(gi).to_dict() == {"a": 1, "b": -1, "c": 0, "d": 0, "e": 1}
    assert period_signal(gi, critical_p=0.01).to_dict() == {"a": 1, "b": 0, "c": 0, "d": 0, "e": 0}


def test_class_counts_lists_every_class():
    classes = pd.Series(["emerging hotspot", "no pattern", "no pattern", "former coldspot"])
    table = class_counts(classes)
    assert list(table["class"]) == list(CLASSES)
    counts = dict(zip(table["class"], table["cells"], strict=True))
    assert counts["no pattern"] == 2 and counts["emerging hotspot"] == 1
    assert counts["persistent hotspot"] == 0
    assert table["share"].sum() == pytest.approx(1.0)
    assert table.set_index("class").loc["no pattern", "share"] == 0.5
    with pytest.raises(ValueError, match="unknown"):
        class_counts(pd.Series(["hot"]))


def test_emerging_cluster_end_to_end():
    # A 7 x 7 grid over 10 periods: background noise throughout, plus a cluster around
    # cell 24 (the centre) in the last two periods only -> the centre is an emerging hotspot.
    w = lat2W(7, 7, rook=False)
    rng = np.random.default_rng(4)
    centre = [24, *w.neighbors[24]]
    periods = {}
    for t in range(10):
        y = rng.poisson(1.0, 49).astype(float)
        if t >= 8:
            y[centre] += 12
        periods[f"p{t + 1}"] = period_signal(gi_star(y, w, permutations=499, seed=t))
    classes = classify_hotspots(pd.DataFrame(periods))
    assert classes[24] == "emerging hotspot"
    assert (classes == "persistent hotspot").sum() == 0
