"""Altair figures for horizon scanning: the forecast fan chart and the Knox heat table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from csp_dash.analysis.forecast import RANGE_WORDING

if TYPE_CHECKING:  # near_repeat pulls in scipy.spatial (~25 MB), which the trends page never needs
    from csp_dash.analysis.near_repeat import KnoxResult

LINE = "#08519c"
FAN_95 = "#c6dbef"
FAN_80 = "#6baed6"
NAIVE = "#7f7f7f"
WIDTH = 720


def fan_chart(history: pd.Series, table: pd.DataFrame, title: str, subtitle: str = "",
              months_shown: int = 36) -> alt.LayerChart:
    """Recent months (gaps stay gaps), the chosen forecast with its 80%/95% fan, and the
    seasonal-naive forecast as a thin grey line when it is not the one chosen."""
    hist = history.iloc[-months_shown:].rename("count").rename_axis("month").reset_index()
    chosen = table[table["chosen"]]
    other = table[~table["chosen"]]
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y"))
    base = alt.Chart(chosen)
    tip = [alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("method:N"),
           alt.Tooltip("mean:Q", format=".0f", title="forecast"),
           alt.Tooltip("lo80:Q", format=".0f"), alt.Tooltip("hi80:Q", format=".0f"),
           alt.Tooltip("lo95:Q", format=".0f"), alt.Tooltip("hi95:Q", format=".0f")]
    fan95 = base.mark_area(color=FAN_95).encode(x=x, y="lo95:Q", y2="hi95:Q", tooltip=tip)
    fan80 = base.mark_area(color=FAN_80, opacity=0.7).encode(x=x, y="lo80:Q", y2="hi80:Q",
                                                              tooltip=tip)
    mean = base.mark_line(color=LINE, strokeDash=[5, 3]).encode(x=x, y="mean:Q", tooltip=tip)
    actual = alt.Chart(hist).mark_line(color=LINE, point=True).encode(
        x=x, y=alt.Y("count:Q", title="Records a month"),
        tooltip=[alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("count:Q", format=".0f")])
    layers = [fan95, fan80, actual, mean]
    if not other.empty:
        layers.append(alt.Chart(other).mark_line(color=NAIVE, strokeWidth=1).encode(
            x=x, y="mean:Q", tooltip=[alt.Tooltip("month:T", format="%b %Y"), "method:N",
                                      alt.Tooltip("mean:Q", format=".0f")]))
    sub = subtitle or (f"Shaded: 80% (dark) and 95% (light) {RANGE_WORDING}. Dashed: forecast."
                       + (" Grey: seasonal naive." if not other.empty else ""))
    return alt.layer(*layers).properties(
        width=WIDTH, height=320,
        title=alt.TitleParams(title, subtitle=sub, anchor="start", fontSize=14))


def knox_heat(result: KnoxResult, title: str) -> alt.LayerChart:
    """Knox ratios as a heat table: rows distance, columns days; ★ marks p < 0.05 above chance."""
    df = result.table()
    df["label"] = [("n/a" if np.isnan(r) else f"{r:.2f}") + (" ★" if s else "")
                   for r, s in zip(df["ratio"], df["significant"], strict=True)]
    df["shade"] = df["ratio"].clip(0, 3)
    order_s, order_t = result.space_labels, result.time_labels
    base = alt.Chart(df).encode(
        x=alt.X("days:N", sort=order_t, title="Days apart", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("distance:N", sort=order_s, title="Distance apart"))
    tip = ["distance:N", "days:N", "observed:Q", alt.Tooltip("expected:Q", format=".1f"),
           alt.Tooltip("ratio:Q", format=".2f"), alt.Tooltip("p:Q", format=".3f")]
    cells = base.mark_rect().encode(
        color=alt.Color("shade:Q", title="Knox ratio",
                        scale=alt.Scale(scheme="redblue", domain=[0, 3], domainMid=1,
                                        reverse=True)),
        tooltip=tip)
    text = base.mark_text(fontSize=12).encode(text="label:N", tooltip=tip)
    sub = (f"Observed pairs over the mean of {result.permutations} shuffles of the dates "
           f"({result.n_events:,} events, {result.distance} distance). ★ p < 0.05, above chance.")
    return alt.layer(cells, text).properties(
        width=WIDTH, height=40 * len(order_s),
        title=alt.TitleParams(title, subtitle=sub, anchor="start", fontSize=14))
