"""The risk matrix: harm against likelihood, bubbles sized by volume and coloured by position.

Charts receive one row per candidate (a few dozen at most), never raw records.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from csp_dash.analysis.scoring import HARM_DIMENSIONS, LIKELIHOOD_DIMENSIONS, ScoringModel
from csp_dash.priorities.matrix_labels import Plot, place_labels

# Background bands by risk as a share of its range: a visual aid, not a threshold in the score.
BANDS = (
    ("lower risk", 0.0, "#d9f0d3"),
    ("medium risk", 0.25, "#fee8c8"),
    ("higher risk", 0.5, "#f4c7c3"),
)
MATRIX_COLUMNS = [
    "name",
    "harm",
    "likelihood",
    "risk",
    "position",
    "volume_count",
    "priority",
    "rank",
]


def _range(model: ScoringModel, dims: tuple[str, ...]) -> tuple[float, float]:
    return (
        float(np.mean([model.scale(d)[0] for d in dims])),
        float(np.mean([model.scale(d)[1] for d in dims])),
    )


def matrix_frame(ranked: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rows the chart can place (harm and likelihood known), and the names it cannot."""
    df = ranked.reset_index(drop=True).reindex(columns=MATRIX_COLUMNS)
    placed = df.dropna(subset=["harm", "likelihood"]).copy()
    unplaced = df.loc[df["harm"].isna() | df["likelihood"].isna(), "name"].tolist()
    placed["volume_label"] = [
        ("no data link" if pd.isna(v) else f"{v:,.0f}") for v in placed["volume_count"]
    ]
    placed["volume_count"] = placed["volume_count"].fillna(0.0)
    placed["rank"] = placed["rank"].astype("float")
    return placed, unplaced


def _background(model: ScoringModel, rows: int = 60) -> alt.Chart:
    """Risk bands as horizontal strips: in each strip of harm, the band edges fall where
    harm x likelihood crosses a band's start, so the edges are exact, not a staircase of cells."""
    h_lo, h_hi = _range(model, HARM_DIMENSIONS)
    l_lo, l_hi = _range(model, LIKELIHOOD_DIMENSIONS)
    r_lo, r_hi = h_lo * l_lo, h_hi * l_hi
    edges = np.linspace(h_lo, h_hi, rows + 1)
    strips = []
    for y, y2 in zip(edges[:-1], edges[1:], strict=True):
        mid = (y + y2) / 2
        cuts = (
            [l_lo]
            + [
                float(np.clip((r_lo + start * (r_hi - r_lo)) / mid, l_lo, l_hi))
                for _, start, _ in BANDS[1:]
            ]
            + [l_hi]
        )
        for (band, _, _), x, x2 in zip(BANDS, cuts[:-1], cuts[1:], strict=True):
            if x2 > x:
                strips.append((x, x2, y, y2, band))
    grid = pd.DataFrame(strips, columns=["x", "x2", "y", "y2", "band"])
    return (
        alt.Chart(grid)
        .mark_rect(opacity=0.7)
        .encode(
            x=alt.X("x:Q"),
            x2="x2:Q",
            y=alt.Y("y:Q"),
            y2="y2:Q",
            color=alt.Color(
                "band:N",
                scale=alt.Scale(domain=[b for b, _, _ in BANDS], range=[c for _, _, c in BANDS]),
                legend=alt.Legend(title="Risk band", orient="bottom"),
            ),
            tooltip=alt.value(None),
        )
    )


def risk_matrix(
    ranked: pd.DataFrame,
    model: ScoringModel,
    title: str = "Risk matrix",
    width: int = 640,
    height: int = 460,
    compact: bool = False,
    label_px: float | None = None,
) -> alt.LayerChart:
    """Bubble chart: x likelihood, y harm, size volume (count in the period), colour position.

    ``compact`` shrinks bubbles and legends for a printed page; ``label_px`` sizes the names
    (the room's screen writes them larger), which are placed so none overlaps another.
    """
    placed, _ = matrix_frame(ranked)
    h_lo, h_hi = _range(model, HARM_DIMENSIONS)
    l_lo, l_hi = _range(model, LIKELIHOOD_DIMENSIONS)
    p_lo = float(np.mean([model.scale(d)[0] for d in ("capacity", "capability")]))
    p_hi = float(np.mean([model.scale(d)[1] for d in ("capacity", "capability")]))
    pad_h, pad_l = (h_hi - h_lo) * 0.06, (l_hi - l_lo) * 0.06
    x_scale = alt.Scale(domain=[l_lo - pad_l, l_hi + pad_l], nice=False)
    y_scale = alt.Scale(domain=[h_lo - pad_h, h_hi + pad_h], nice=False)
    x = alt.X("likelihood:Q", title="Likelihood (volume and trend)", scale=x_scale)
    y = alt.Y("harm:Q", title="Harm (physical, psychological, financial, community)", scale=y_scale)
    sizes = (40, 900) if compact else (80, 2400)
    font = label_px or (9 if compact else 11)
    plot = Plot((l_lo - pad_l, l_hi + pad_l), (h_lo - pad_h, h_hi + pad_h), width, height)
    placed = place_labels(placed, plot, sizes, font)
    base = alt.Chart(placed).encode(x=x, y=y)
    tooltip = [
        alt.Tooltip("name:N", title="Priority"),
        alt.Tooltip("rank:Q", title="Rank"),
        alt.Tooltip("harm:Q", format=".2f"),
        alt.Tooltip("likelihood:Q", format=".2f"),
        alt.Tooltip("risk:Q", format=".1f"),
        alt.Tooltip("position:Q", format=".2f"),
        alt.Tooltip("volume_label:N", title="Count in the period"),
        alt.Tooltip("priority:Q", format=".2f", title="Priority score"),
    ]
    bubbles = base.mark_circle(opacity=0.85, stroke="#333333", strokeWidth=0.8).encode(
        size=alt.Size(
            "volume_count:Q",
            title="Count in the period",
            scale=alt.Scale(range=list(sizes), zero=True),
            legend=alt.Legend(orient="right", format=",.0f", tickCount=3),
        ),
        color=alt.Color(
            "position:Q",
            title="Position (can act)",
            scale=alt.Scale(scheme="viridis", domain=[p_lo, p_hi]),
            legend=alt.Legend(orient="right", gradientLength=80 if compact else 200),
        ),
        tooltip=tooltip,
    )
    # Names where matrix_labels put them, clear of each other and of the bubbles.
    names = [
        alt.Chart(placed).mark_text(align=align, fontSize=font, color="#222222")
        .encode(x=alt.X("label_x:Q", scale=x_scale), y=alt.Y("label_y:Q", scale=y_scale),
                text="name:N")
        .transform_filter(alt.datum.label_align == align)
        for align in ("left", "right", "center")
    ]
    background = _background(model).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale)
    )
    return (
        alt.layer(background, bubbles, *names)
        .resolve_scale(color="independent", size="independent")
        .properties(title=title, width=width, height=height)
    )
