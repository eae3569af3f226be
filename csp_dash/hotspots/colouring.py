"""The hotspot map's colouring: classes, colours and legend for each metric, shared by the
map on the page (ui/maps.py) and the map image (hotspots/map_image.py), so both show the
same classes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csp_dash.analysis.gistar import SIGNIFICANCE_LABELS
from csp_dash.analysis.hotspot_classes import CLASSES

NO_DATA = (200, 200, 200, 90)
ZERO = (250, 250, 240, 150)
FILL_ALPHA = 190

# ColorBrewer YlOrRd (6 classes) for counts, rates and harm.
SEQUENTIAL = [(255, 255, 178), (254, 217, 118), (254, 178, 76), (253, 141, 60), (240, 59, 32),
              (189, 0, 38)]  # fmt: skip
# Hot and cold spots in ArcGIS's colours, hottest to coldest (as SIGNIFICANCE_LABELS).
GI_COLOURS = dict(zip(SIGNIFICANCE_LABELS, [
    (178, 24, 43), (239, 138, 98), (253, 219, 199), (235, 235, 235), (209, 229, 240),
    (103, 169, 207), (33, 102, 172)], strict=True))  # fmt: skip
CLASS_COLOURS = dict(zip(CLASSES, [
    (165, 0, 38), (244, 109, 67), (253, 174, 97), (254, 224, 144),
    (49, 54, 149), (69, 117, 180), (116, 173, 209), (171, 217, 233),
    (153, 112, 171), (235, 235, 235)], strict=True))  # fmt: skip
CHANGE_CLASSES = [
    ("significant increase (z > 2)", (202, 0, 32)),
    ("increase, not significant", (244, 165, 130)),
    ("no change", (235, 235, 235)),
    ("decrease, not significant", (146, 197, 222)),
    ("significant decrease (z < -2)", (5, 113, 176)),
]

METRICS = {
    "count": "Count",
    "rate": "Rate per 1,000",
    "harm": "Harm",
    "change": "Change on the comparison period",
    "gi": "Gi* hot and cold spots",
    "class": "Hotspot class over time",
}


@dataclass
class Colouring:
    fill: list[tuple[int, int, int, int]]
    legend: list[tuple[str, tuple[int, int, int]]]
    title: str


def _fmt(v: float) -> str:
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:,.1f}".rstrip("0").rstrip(".") if v % 1 else f"{v:,.0f}"


def sequential(values: pd.Series, title: str, whole: bool = False) -> Colouring:
    """Quantile classes (up to 6) on the values above zero; zero has its own pale class and
    missing is grey. (Counts are mostly zero in small cells: quantiles over them would put
    most classes at 0 to 1.) ``whole``: class edges at whole numbers (counts: no "41.3")."""
    v = values.astype(float)
    ok = v[v > 0].dropna()
    edges = np.quantile(ok, np.linspace(0, 1, len(SEQUENTIAL) + 1)) if len(ok) else []
    edges = np.unique(np.round(edges) if whole else edges)
    if len(edges) < 2:
        edges = np.array([ok.min(), ok.max()]) if len(ok) else np.array([0.0, 0.0])
    k = np.clip(np.searchsorted(edges, v.fillna(edges[0]), side="right") - 1, 0, len(edges) - 2)
    # Stretch the palette over however many classes the data allow.
    pick = np.round(np.linspace(0, len(SEQUENTIAL) - 1, max(len(edges) - 1, 1))).astype(int)
    colours = [SEQUENTIAL[i] for i in pick]
    fill = [
        NO_DATA if np.isnan(x) else ZERO if x <= 0 else (*colours[i], FILL_ALPHA)
        for x, i in zip(v.to_numpy(), k, strict=True)
    ]
    legend = [(f"{_fmt(edges[i])} to {_fmt(edges[i + 1])}", colours[i])
              for i in range(len(edges) - 1)]  # fmt: skip
    if (v <= 0).any():
        legend.insert(0, ("0", ZERO[:3]))
    if v.isna().any():
        legend.append(("no figure", NO_DATA[:3]))
    return Colouring(fill, legend, title)


def categorical(values: pd.Series, palette: dict, title: str) -> Colouring:
    fill = [(*palette.get(x, NO_DATA[:3]), FILL_ALPHA) for x in values]
    present = set(values)
    legend = [(k, c) for k, c in palette.items() if k in present]
    return Colouring(fill, legend, title)


def change_classes(z: pd.Series) -> pd.Series:
    labels = [c for c, _ in CHANGE_CLASSES]
    return pd.Series(
        np.select([z > 2, z > 0, z == 0, z >= -2], labels[:4], labels[4]), index=z.index
    )


def colouring(table: pd.DataFrame, metric: str, rate_base: str = "residents") -> Colouring:
    """Fill colours and legend for one metric of a hotspot table."""
    if metric == "count":
        return sequential(table["count"], "Count", whole=True)
    if metric == "rate":
        return sequential(table["rate"], f"Rate per 1,000 {rate_base}")
    if metric == "harm":
        return sequential(table["harm"], "Harm (weighted count)")
    if metric == "change":
        return categorical(change_classes(table["z"]), dict(CHANGE_CLASSES), "Change (Poisson z)")
    if metric == "gi":
        return categorical(table["significance"], GI_COLOURS, "Gi* (FDR-adjusted)")
    if metric == "class":
        return categorical(table["class"].fillna("no pattern"), CLASS_COLOURS, "Hotspot class")
    raise ValueError(f"unknown map metric '{metric}'")


def effective_metric(metric: str, rate_base: str) -> tuple[str, str]:
    """(metric to colour by, note): rates fall back to counts where there is no population."""
    if metric == "rate" and not rate_base:
        return "count", "No population for these units: colouring by count instead."
    return metric, ""


def cells_shown(table: pd.DataFrame, most: int) -> tuple[np.ndarray, int]:
    """Positions of the H3 cells a map draws (a count or a signal; the busiest ``most``) and
    how many were left off."""
    keep = (table["count"] > 0) | (table["significance"] != "not significant")
    if "class" in table.columns:
        keep |= table["class"].fillna("no pattern") != "no pattern"
    idx = np.flatnonzero(keep.to_numpy())
    left_off = max(0, len(idx) - most)
    if left_off:
        idx = idx[np.argsort(-table["count"].to_numpy()[idx], kind="stable")[:most]]
    return idx, left_off
