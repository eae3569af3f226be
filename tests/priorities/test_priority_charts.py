"""The risk matrix chart and the one-page summary built from a closed workshop."""

from __future__ import annotations

import pandas as pd
import pytest

from csp_dash.analysis.scoring import ScoringModel
from csp_dash.priorities.charts import _background, matrix_frame, risk_matrix


def ranked() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Violence", "County lines", "Unscored"],
            "harm": [4.0, 3.0, None],
            "likelihood": [5.0, 2.0, 3.0],
            "risk": [20.0, 6.0, None],
            "position": [3.0, 2.0, None],
            "volume_count": [1200.0, None, None],
            "priority": [0.8, 0.4, None],
            "rank": [1, 2, None],
        }
    )


def test_matrix_places_scored_candidates_and_names_the_rest():
    placed, unplaced = matrix_frame(ranked())
    assert list(placed["name"]) == ["Violence", "County lines"]
    assert unplaced == ["Unscored"]
    assert list(placed["volume_label"]) == ["1,200", "no data link"]
    spec = risk_matrix(ranked(), ScoringModel()).to_dict()
    bubbles = spec["layer"][1]
    assert bubbles["mark"]["type"] == "circle"
    assert bubbles["encoding"]["size"]["field"] == "volume_count"
    assert bubbles["encoding"]["color"]["field"] == "position"
    assert bubbles["encoding"]["x"]["field"] == "likelihood"
    assert bubbles["encoding"]["y"]["field"] == "harm"


def test_risk_bands_edges_by_hand():
    grid = _background(ScoringModel(), rows=4).data
    # Strips of harm 1-2, 2-3, 3-4, 4-5 (mid 1.5, 2.5, 3.5, 4.5). Risk runs 1 to 25; the higher
    # band starts at 1 + 0.5 x 24 = 13 and the medium at 1 + 0.25 x 24 = 7. In the top strip
    # (harm 4.5) the higher band starts at likelihood 13 / 4.5 = 2.889, medium at 7 / 4.5 = 1.556.
    top = grid[grid["y"] == 4.0].set_index("band")
    assert top.loc["higher risk", "x"] == pytest.approx(13 / 4.5)
    assert top.loc["medium risk", "x"] == pytest.approx(7 / 4.5)
    assert top.loc["higher risk", "x2"] == 5.0
    # The bottom strip (harm 1.5) never reaches 13 (max 7.5): no higher band there
    assert "higher risk" not in set(grid.loc[grid["y"] == 1.0, "band"])
