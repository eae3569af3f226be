"""The risk matrix: harm against likelihood, bubbles sized by volume and coloured by position.

Charts receive one row per candidate (a few dozen at most), never raw records.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from csp_dash.analysis.scoring import HARM_DIMENSIONS, LIKELIHOOD_DIMENSIONS, ScoringModel

# Background bands by risk as a share of its range: a visual aid, not a threshold in the score.
BANDS = (("lower risk", 0.0, "#d9f0d3"), ("medium risk", 0.25, "#fee8c8"),
         ("higher risk", 0.5, "#f4c7c3"))
MATRIX_COLUMNS = ["name", "harm", "likelihood", "risk", "position", "volume_count", "priority", "rank"]


def _range(model: ScoringModel, dims: tuple[str, ...]) -> tuple[float, float]:
    return (float(np.mean([model.scale(d)[0] for d in dims])),
            float(np.mean([model.scale(d)[1] for d in dims])))


def matrix_frame(ranked: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rows the chart can place (harm and likelihood known), and the names it cannot."""
    df = ranked.reset_index(drop=True).reindex(columns=MATRIX_COLUMNS)
    placed = df.dropna(subset=["harm", "likelihood"]).copy()
    unplaced = df.loc[df["harm"].isna() | df["likelihood"].isna(), "name"].tolist()
    placed["volume_label"] = [("no data link" if pd.isna(v) else f"{v:,.0f}")
                              for v in placed["volume_count"]]
    placed["volume_count"] = placed["volume_count"].fillna(0.0)
    placed["rank"] = placed["rank"].astype("float")
    return placed, unplaced


def _background(model: ScoringModel) -> alt.Chart:
    h_lo, h_hi = _range(model, HARM_DIMENSIONS)
    l_lo, l_hi = _range(model, LIKELIHOOD_DIMENSIONS)
    r_lo, r_hi = h_lo * l_lo, h_hi * l_hi
    steps = 40
    hs, ls = np.linspace(h_lo, h_hi, steps + 1), np.linspace(l_lo, l_hi, steps + 1)
    cells = []
    for i in range(steps):
        for j in range(steps):
            mid = ((hs[i] + hs[i + 1]) / 2) * ((ls[j] + ls[j + 1]) / 2)
            share = (mid - r_lo) / (r_hi - r_lo)
            band = [b for b, start, _ in BANDS if share >= start][-1]
            cells.append((ls[j], ls[j + 1], hs[i], hs[i + 1], band))
    grid = pd.DataFrame(cells, columns=["x", "x2", "y", "y2", "band"])
    # Merge cells per band and row so the chart carries a few hundred rows, not thousands.
    grid = grid.groupby(["y", "y2", "band"], as_index=False).agg(x=("x", "min"), x2=("x2", "max"))
    return alt.Chart(grid).mark_rect(opacity=0.7).encode(
        x=alt.X("x:Q"), x2="x2:Q", y=alt.Y("y:Q"), y2="y2:Q",
        color=alt.Color("band:N", scale=alt.Scale(domain=[b for b, _, _ in BANDS],
                                                  range=[c for _, _, c in BANDS]),
                        legend=alt.Legend(title="Risk band", orient="bottom")),
        tooltip=alt.value(None))


def risk_matrix(ranked: pd.DataFrame, model: ScoringModel, title: str = "Risk matrix",
                width: int = 640, height: int = 460) -> alt.LayerChart:
    """Bubble chart: x likelihood, y harm, size volume (latest 12 months), colour position."""
    placed, _ = matrix_frame(ranked)
    h_lo, h_hi = _range(model, HARM_DIMENSIONS)
    l_lo, l_hi = _range(model, LIKELIHOOD_DIMENSIONS)
    p_lo = float(np.mean([model.scale(d)[0] for d in ("capacity", "capability")]))
    p_hi = float(np.mean([model.scale(d)[1] for d in ("capacity", "capability")]))
    pad_h, pad_l = (h_hi - h_lo) * 0.04, (l_hi - l_lo) * 0.04
    x = alt.X("likelihood:Q", title="Likelihood (volume and trend)",
              scale=alt.Scale(domain=[l_lo - pad_l, l_hi + pad_l], nice=False))
    y = alt.Y("harm:Q", title="Harm (physical, psychological, financial, community)",
              scale=alt.Scale(domain=[h_lo - pad_h, h_hi + pad_h], nice=False))
    base = alt.Chart(placed).encode(x=x, y=y)
    tooltip = [alt.Tooltip("name:N", title="Priority"), alt.Tooltip("rank:Q", title="Rank"),
               alt.Tooltip("harm:Q", format=".2f"), alt.Tooltip("likelihood:Q", format=".2f"),
               alt.Tooltip("risk:Q", format=".1f"), alt.Tooltip("position:Q", format=".2f"),
               alt.Tooltip("volume_label:N", title="Count, latest 12 months"),
               alt.Tooltip("priority:Q", format=".2f", title="Priority score")]
    bubbles = base.mark_circle(opacity=0.85, stroke="#333333", strokeWidth=0.8).encode(
        size=alt.Size("volume_count:Q", title="Count, latest 12 months",
                      scale=alt.Scale(range=[80, 2400], zero=True),
                      legend=alt.Legend(orient="right", format=",.0f")),
        color=alt.Color("position:Q", title="Position (can act)",
                        scale=alt.Scale(scheme="viridis", domain=[p_lo, p_hi]),
                        legend=alt.Legend(orient="right")),
        tooltip=tooltip)
    labels = base.mark_text(align="left", dx=9, dy=-9, fontSize=11, color="#222222").encode(
        text="name:N")
    background = _background(model).encode(
        x=alt.X("x:Q", scale=x.scale), y=alt.Y("y:Q", scale=y.scale))
    return (alt.layer(background, bubbles, labels)
            .resolve_scale(color="independent", size="independent")
            .properties(title=title, width=width, height=height))
