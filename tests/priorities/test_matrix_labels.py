"""The risk matrix's names: none overlaps another name or another candidate's bubble, all stay
inside the plot, and each sits next to its own bubble."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csp_dash.analysis.scoring import ScoringModel
from csp_dash.priorities.charts import risk_matrix
from csp_dash.priorities.matrix_labels import (
    Plot,
    bubble_radius,
    label_box,
    place_labels,
)

PLOT = Plot((0.76, 5.24), (0.76, 5.24), 640, 460)
SIZES = (80, 2400)


def crowded() -> pd.DataFrame:
    # The demo's top corner as a workshop saw it: two big themes side by side at the top,
    # with smaller ones close by.
    return pd.DataFrame({
        "name": ["Violence and sexual offences", "Acquisitive crime", "Other crime",
                 "County lines", "Modern slavery", "Domestic abuse", "Anti-social behaviour",
                 "Hate crime"],
        "likelihood": [4.6, 5.0, 4.4, 4.0, 3.0, 4.5, 4.9, 3.1],
        "harm": [5.0, 5.0, 4.0, 4.25, 4.25, 4.9, 4.7, 4.2],
        "volume_count": [9000.0, 8000.0, 2500.0, 300.0, 20.0, 3000.0, 7000.0, 60.0],
        "rank": [1.0, 2.0, 5.0, 4.0, 8.0, 3.0, 6.0, 7.0],
    })


def _boxes(out: pd.DataFrame, font: float, plot: Plot = PLOT) -> list[tuple]:
    px, py = plot.to_px(out["label_x"].to_numpy(float), out["label_y"].to_numpy(float))
    boxes = []
    for x, y, text, align in zip(px, py, out["name"], out["label_align"], strict=True):
        left, top, right, bottom = label_box(x, y, text, "left", font)
        if align == "right":
            left, right = left - (right - left), left
        elif align == "center":
            half = (right - left) / 2
            left, right = left - half, right - half
        boxes.append((left, top, right, bottom))
    return boxes


def _overlap(a, b) -> bool:
    return a[0] < b[2] - 1e-9 and b[0] < a[2] - 1e-9 and a[1] < b[3] - 1e-9 and b[1] < a[3] - 1e-9


def _naive(frame: pd.DataFrame, plot: Plot = PLOT) -> pd.DataFrame:
    """Every name right of its bubble at its height: what the chart did before."""
    cx, cy = plot.to_px(frame["likelihood"].to_numpy(float), frame["harm"].to_numpy(float))
    r = bubble_radius(frame["volume_count"], SIZES)
    lx, ly = plot.to_data(cx + r + 4, cy)
    return frame.assign(label_x=lx, label_y=ly, label_align="left")


def _overlap_area(boxes: list[tuple]) -> float:
    return sum(max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
               for i, a in enumerate(boxes) for b in boxes[i + 1:])


@pytest.mark.parametrize(("font", "width", "height"), [(11, 640, 460), (24, 1100, 560)])
def test_names_clear_each_other_and_the_edges(font, width, height):
    plot = Plot(PLOT.x_domain, PLOT.y_domain, width, height)
    frame = crowded()
    boxes = _boxes(place_labels(frame, plot, SIZES, font), font, plot)
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= plot.width and 0 <= a[1] and a[3] <= plot.height
        for b in boxes[i + 1:]:
            assert not _overlap(a, b), (frame["name"][i], a, b)
    assert _overlap_area(_boxes(_naive(frame, plot), font, plot)) > 0  # a crowded case


def test_names_cover_other_bubbles_less_than_beside_each_bubble():
    frame = crowded()
    cx, cy = PLOT.to_px(frame["likelihood"].to_numpy(float), frame["harm"].to_numpy(float))
    r = bubble_radius(frame["volume_count"], SIZES)
    bubbles = [(x - q, y - q, x + q, y + q) for x, y, q in zip(cx, cy, r, strict=True)]

    def covered(out: pd.DataFrame) -> float:
        return sum(max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
                   * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
                   for i, a in enumerate(_boxes(out, 11)) for j, b in enumerate(bubbles) if i != j)

    assert covered(place_labels(frame, PLOT, SIZES, 11)) < 0.5 * covered(_naive(frame))


def test_each_name_sits_next_to_its_bubble():
    frame = crowded()
    out = place_labels(frame, PLOT, SIZES, 11)
    px, py = PLOT.to_px(out["label_x"].to_numpy(float), out["label_y"].to_numpy(float))
    cx, cy = PLOT.to_px(frame["likelihood"].to_numpy(float), frame["harm"].to_numpy(float))
    r = bubble_radius(frame["volume_count"], SIZES)
    # The anchor is within a few lines of the bubble's edge.
    assert np.all(np.hypot(px - cx, py - cy) <= r + 4 + 4 * 1.25 * 11 + 1)


def test_a_lone_candidate_is_named_to_the_right_at_its_own_height():
    one = crowded().iloc[[4]]  # Modern slavery, a small bubble mid-plot
    out = place_labels(one, PLOT, SIZES, 11)
    assert out["label_align"].iloc[0] == "left"
    assert out["label_y"].iloc[0] == pytest.approx(one["harm"].iloc[0])
    assert out["label_x"].iloc[0] > one["likelihood"].iloc[0]


def test_the_chart_writes_names_at_the_placed_positions():
    frame = crowded().assign(risk=20.0, position=3.0, priority=0.5)
    spec = risk_matrix(frame, ScoringModel()).to_dict()
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert {t["mark"]["align"] for t in texts} == {"left", "right", "center"}
    assert all(t["encoding"]["x"]["field"] == "label_x" for t in texts)
    assert all(t["encoding"]["y"]["field"] == "label_y" for t in texts)
