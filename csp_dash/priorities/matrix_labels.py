"""Where the risk matrix writes each candidate's name, so no two names overlap.

Candidates cluster (several high-harm, high-likelihood themes), and a name set beside every
bubble in the same place runs into its neighbour's. Names are placed one by one, highest
priority first, at the first spot around the bubble that is clear of the names already
placed, of every bubble, and of the plot's edges (docs/methods.md, "Priority scoring").
Positions are worked out in pixels for the chart's drawn size and returned in data units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

CHAR_WIDTH = 0.6  # a name's width per character, as a share of the font size
LINE_HEIGHT = 1.25  # a name's height, as a share of the font size
GAP_PX = 4  # between a bubble's edge and its name


@dataclass(frozen=True)
class Plot:
    """The plot's data domain and drawn size, to convert between data units and pixels."""

    x_domain: tuple[float, float]
    y_domain: tuple[float, float]
    width: float
    height: float

    def to_px(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.x_domain, self.y_domain
        return (x - x0) / (x1 - x0) * self.width, (y1 - y) / (y1 - y0) * self.height

    def to_data(self, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.x_domain, self.y_domain
        return x0 + px / self.width * (x1 - x0), y1 - py / self.height * (y1 - y0)


def bubble_radius(volume: pd.Series, area_range: tuple[float, float]) -> np.ndarray:
    """Radius in pixels of each bubble, as Vega draws a linear size scale from zero."""
    top = float(volume.max()) if len(volume) and volume.max() > 0 else 1.0
    area = area_range[0] + (area_range[1] - area_range[0]) * volume.to_numpy(float) / top
    return np.sqrt(area / math.pi)


def label_box(px: float, py: float, text: str, align: str, font_px: float) -> tuple:
    """(left, top, right, bottom) of a name written at (px, py), vertically centred."""
    w, h = CHAR_WIDTH * font_px * len(text), LINE_HEIGHT * font_px
    left = px if align == "left" else px - w
    return left, py - h / 2, left + w, py + h / 2


def _overlap(a: tuple, b: tuple) -> float:
    """The area two boxes share (0 when apart)."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _candidates(cx: float, cy: float, r: float, h: float):
    """Spots around a bubble, nearest first: beside it, then further up or down."""
    d = r + GAP_PX
    for lift in (0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0):
        for side, align in ((1, "left"), (-1, "right")):
            yield cx + side * d, cy - lift * h, align
    for step in (1, -1, 2, -2, 3, -3, 4, -4):  # above or below the bubble
        yield cx, cy - step * h - (d if step > 0 else -d), "center"
    for lift in (4.0, -4.0, 5.0, -5.0, 6.0, -6.0):
        for side, align in ((1, "left"), (-1, "right")):
            yield cx + side * d, cy - lift * h, align


def _crowding(box: tuple, taken: list[tuple], bubbles: list[tuple], own: int,
              plot: Plot) -> float:
    """How badly a name at ``box`` would be read: names over names count most, then names
    over other bubbles; a name off the plot is cut, so it is worst of all."""
    outside = box[0] < 0 or box[2] > plot.width or box[1] < 0 or box[3] > plot.height
    return (1e9 * outside + 10 * sum(_overlap(box, t) for t in taken)
            + sum(_overlap(box, b) for j, b in enumerate(bubbles) if j != own))


def place_labels(placed: pd.DataFrame, plot: Plot, area_range: tuple[float, float],
                 font_px: float) -> pd.DataFrame:
    """``placed`` (name, likelihood, harm, volume_count, rank) with label_x, label_y (data
    units) and label_align ("left", "right" or "center") for each name."""
    cx, cy = plot.to_px(placed["likelihood"].to_numpy(float), placed["harm"].to_numpy(float))
    radius = bubble_radius(placed["volume_count"], area_range)
    bubbles = [(x - r, y - r, x + r, y + r) for x, y, r in zip(cx, cy, radius, strict=True)]
    h = LINE_HEIGHT * font_px
    taken: list[tuple] = []
    spots: dict[int, tuple[float, float, str]] = {}
    for i in placed.assign(_pos=range(len(placed))).sort_values("rank", kind="stable")["_pos"]:
        text = str(placed["name"].iloc[i])
        best, least = None, math.inf
        for px, py, align in _candidates(cx[i], cy[i], radius[i], h):
            box = _centred(label_box(px, py, text, "left" if align == "center" else align,
                                     font_px), align, font_px, text)
            crowding = _crowding(box, taken, bubbles, i, plot)
            if crowding < least:  # the first clear spot, else the least crowded one
                best, least = (px, py, align, box), crowding
                if crowding == 0:
                    break
        taken.append(best[3])
        spots[i] = best[:3]
    out = placed.copy()
    order = range(len(placed))
    lx, ly = plot.to_data(np.array([spots[i][0] for i in order], dtype=float),
                          np.array([spots[i][1] for i in order], dtype=float))
    out["label_x"], out["label_y"] = lx, ly
    out["label_align"] = [spots[i][2] for i in order]
    return out


def _centred(box: tuple, align: str, font_px: float, text: str) -> tuple:
    """A left-aligned box moved so its middle is at its anchor, for centred names."""
    if align != "center":
        return box
    half = CHAR_WIDTH * font_px * len(text) / 2
    return box[0] - half, box[1], box[2] - half, box[3]
