"""Crime concentration curve and headline, on toy distributions worked by hand."""

import numpy as np
import pandas as pd
import pytest

from csp_dash.analysis.concentration import (
    concentration_curve,
    concentration_headline,
    share_for,
)

# 10 units, 100 crimes. Busiest first: 50, 30, 10, 5, 5, then five empty units.
# Cumulative share of crime: 0.50, 0.80, 0.90, 0.95, 1.00, 1.00 ... 1.00.
TOY = [5, 0, 50, 0, 10, 0, 30, 0, 5, 0]


def test_curve_is_sorted_with_exact_shares():
    curve = concentration_curve(pd.Series(TOY, index=[f"u{i}" for i in range(10)]))
    assert list(curve["count"]) == [50, 30, 10, 5, 5, 0, 0, 0, 0, 0]
    # Ties keep input order: u0 (5) before u8 (5); empty units in input order.
    assert list(curve["unit"]) == ["u2", "u6", "u4", "u0", "u8", "u1", "u3", "u5", "u7", "u9"]
    np.testing.assert_allclose(curve["share_of_crime"], [0.5, 0.3, 0.1, 0.05, 0.05, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(curve["cumulative"], [0.5, 0.8, 0.9, 0.95, 1, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(curve["share_of_units"], np.arange(1, 11) / 10)


@pytest.mark.parametrize(
    ("target", "units", "held"),
    [
        (0.5, 1, 0.5),  # exactly reached by the top unit
        (0.8, 2, 0.8),  # 0.5 + 0.3, exactly reached
        (0.85, 3, 0.9),  # 2 units hold 0.8 < 0.85, 3 hold 0.9
        (0.96, 5, 1.0),
        (1.0, 5, 1.0),  # the five empty units are never needed
    ],
)
def test_share_for_smallest_number_of_units(target, units, held):
    result = share_for(TOY, target)
    assert result["units"] == units
    assert result["n_units"] == 10
    assert result["unit_share"] == pytest.approx(units / 10)
    assert result["crime_share"] == pytest.approx(held)


def test_headline_on_toy():
    assert concentration_headline(TOY, "violence") == (
        "50% of violence occurred in 10% of cells (1 of 10)."
    )
    assert concentration_headline(TOY, "burglary", "estates", crime_share=0.85) == (
        "85% of burglary occurred in 30% of estates (3 of 10)."
    )


def test_headline_matches_the_design_example():
    # 284 cells, 240 crimes: 12 cells with 10 each (120 = exactly 50%), 120 cells with 1,
    # 152 empty. The top 11 hold 110 / 240 = 45.8% < 50%, so 12 cells are needed:
    # 12 / 284 = 4.225...% -> "4.2%".
    counts = [10] * 12 + [1] * 120 + [0] * 152
    assert len(counts) == 284
    assert concentration_headline(counts, "violence") == (
        "50% of violence occurred in 4.2% of cells (12 of 284)."
    )


def test_very_small_unit_share_is_not_shown_as_zero():
    counts = [100] + [0] * 2999  # one cell of 3,000 holds everything: 0.033%
    assert concentration_headline(counts, "robbery") == (
        "50% of robbery occurred in <0.1% of cells (1 of 3,000)."
    )


def test_no_crime():
    assert concentration_headline([0, 0, 0], "violence") == "No violence recorded."
    assert concentration_headline([], "violence") == "No violence recorded."
    assert share_for([0, 0], 0.5) == {
        "units": 0,
        "n_units": 2,
        "unit_share": 0.0,
        "crime_share": 0.0,
    }
    curve = concentration_curve([0, 0])
    assert list(curve["cumulative"]) == [0.0, 0.0]


def test_bad_input():
    with pytest.raises(ValueError):
        concentration_curve([3, -1])
    with pytest.raises(ValueError):
        concentration_curve([3, np.nan])
    with pytest.raises(ValueError):
        share_for(TOY, 0)
