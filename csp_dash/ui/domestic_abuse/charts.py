"""Altair charts for the domestic abuse page: SPC against the baseline, share of violence.

Charts receive one row per month (a few dozen rows), never records.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from csp_dash import palette
from csp_dash.domestic_abuse.baseline import BaselineSPC
from csp_dash.ui.charts import event_marks, month_axis

COLOURS = {**palette.SPC, "not judged": palette.SPC_NOT_JUDGED}
VARIATION_LABELS = {
    "common": "Common cause",
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neutral": "Special cause",
    "not judged": "Before the baseline (not judged)",
}


def _spc_frame(spc: BaselineSPC) -> pd.DataFrame:
    c = spc.chart.reset_index(names="month")
    c["status"] = c["variation"].map(VARIATION_LABELS)
    ctx = spc.context.rename("value").rename_axis("month").reset_index()
    ctx["status"] = VARIATION_LABELS["not judged"]
    cols = ["month", "value", "mean", "ucl", "lcl", "segment", "status"]
    return pd.concat([ctx.reindex(columns=cols), c[cols]], ignore_index=True)


def spc_chart(
    spc: BaselineSPC, events: pd.DataFrame, title: str, height: int = 340
) -> alt.LayerChart:
    """Monthly counts, mean and limits from the baseline, special causes coloured, the
    baseline shaded and declared events drawn as labelled rules."""
    df = _spc_frame(spc)
    x = alt.X(
        "month:T",
        title=None,
        scale=alt.Scale(nice=False),
        axis=month_axis(df.loc[df["value"].notna(), "month"]),
    )
    status_scale = alt.Scale(
        domain=list(VARIATION_LABELS.values()), range=[COLOURS[k] for k in VARIATION_LABELS]
    )
    layers: list[alt.Chart] = []
    if spc.baseline is not None:
        band = pd.DataFrame(
            {
                "start": [pd.Timestamp(spc.baseline[0])],
                "end": [pd.Timestamp(spc.baseline[1]) + pd.offsets.MonthEnd(0)],
                "label": ["Baseline"],
            }
        )
        layers.append(
            alt.Chart(band).mark_rect(color="#2a9d8f", opacity=0.10).encode(x="start:T", x2="end:T")
        )
        layers.append(
            alt.Chart(band)
            .mark_text(align="left", dx=4, baseline="top", color="#2a7d72", fontWeight="bold")
            # Pixel positions inside the plot only: one below it would shrink the plot.
            .encode(x="start:T", y=alt.value(18), text="label:N")
        )
    line = alt.Chart(df).encode(x=x)
    layers.append(
        line.mark_line(color="#9aa5b1", strokeWidth=1.5).encode(
            y=alt.Y("value:Q", title="Records per month", scale=alt.Scale(zero=False))
        )
    )
    judged = df[df["mean"].notna()]
    for col, dash in (("mean", []), ("ucl", [5, 4]), ("lcl", [5, 4])):
        layers.append(
            alt.Chart(judged)
            .mark_line(color=palette.LIMIT, strokeDash=dash, strokeWidth=1.2)
            .encode(x=x, y=f"{col}:Q", detail="segment:N")
        )
    layers.append(
        line.mark_circle(size=55, opacity=1).encode(
            y="value:Q",
            color=alt.Color(
                "status:N",
                scale=status_scale,
                title=None,
                legend=alt.Legend(orient="bottom", columns=3, labelLimit=0),
            ),
            tooltip=[
                alt.Tooltip("month:T", format="%b %Y", title="Month"),
                alt.Tooltip("value:Q", title="Records", format=",.0f"),
                alt.Tooltip("mean:Q", title="Mean", format=",.1f"),
                alt.Tooltip("ucl:Q", title="Upper limit", format=",.1f"),
                alt.Tooltip("lcl:Q", title="Lower limit", format=",.1f"),
                alt.Tooltip("status:N", title="Variation"),
            ],
        )
    )
    layers += event_marks(events, df["month"].min(), df["month"].max(), short=42)
    return alt.layer(*layers, title=title, height=height)


def share_chart(by_month: pd.DataFrame, title: str, height: int = 220) -> alt.Chart:
    """DA-flagged violence as a % of police.uk Violence and sexual offences, by month."""
    # Only month and % reach the browser: the chart's inline data is public too.
    df = by_month.reset_index().assign(pct=lambda d: d["share"] * 100)[["month", "pct"]]
    return (
        alt.Chart(df)
        .mark_line(point=True, color=palette.WINE)
        .encode(
            x=alt.X("month:T", title=None, axis=month_axis(df.loc[df["pct"].notna(), "month"])),
            y=alt.Y("pct:Q", title="% of violence", scale=alt.Scale(zero=True)),
            tooltip=[
                alt.Tooltip("month:T", format="%b %Y", title="Month"),
                alt.Tooltip("pct:Q", format=".1f", title="DA share %"),
            ],
        )
        .properties(title=title, height=height)
    )
