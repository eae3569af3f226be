"""Altair charts for the domestic abuse page: SPC against the baseline, share of violence.

Charts receive one row per month (a few dozen rows), never records.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from csp_dash.domestic_abuse.baseline import BaselineSPC

COLOURS = {
    "common": "#7f8c9a",
    "improvement": "#1f77b4",
    "concern": "#e8710a",
    "neutral": "#7b3294",
    "not judged": "#c4c9cf",
}
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
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8))
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
            .mark_line(color="#34495e", strokeDash=dash, strokeWidth=1.2)
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
    if len(events):
        ev = events.assign(month=pd.to_datetime(events["month"]))
        ev = ev[(ev["month"] >= df["month"].min()) & (ev["month"] <= df["month"].max())]
        ev = ev.assign(text=ev["label"].map(_short))
        layers.append(
            alt.Chart(ev)
            .mark_rule(color="#b23a48", strokeWidth=1.5, strokeDash=[2, 2])
            .encode(
                x="month:T", tooltip=[alt.Tooltip("month:T", format="%b %Y"), "kind:N", "label:N"]
            )
        )
        layers.append(
            alt.Chart(ev)
            .mark_text(align="left", dx=4, baseline="top", color="#b23a48", fontSize=11)
            .encode(x="month:T", y=alt.value(3), text="text:N")
        )
    return alt.layer(*layers).properties(title=title, height=height)


def _short(label: str, limit: int = 42) -> str:
    """Event labels on the chart stay short; the tooltip has the whole label."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def share_chart(by_month: pd.DataFrame, title: str, height: int = 220) -> alt.Chart:
    """DA-flagged violence as a % of police.uk Violence and sexual offences, by month."""
    # Only month and % reach the browser: the chart's inline data is public too.
    df = by_month.reset_index().assign(pct=lambda d: d["share"] * 100)[["month", "pct"]]
    return (
        alt.Chart(df)
        .mark_line(point=True, color="#7b3294")
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0)),
            y=alt.Y("pct:Q", title="% of violence", scale=alt.Scale(zero=True)),
            tooltip=[
                alt.Tooltip("month:T", format="%b %Y", title="Month"),
                alt.Tooltip("pct:Q", format=".1f", title="DA share %"),
            ],
        )
        .properties(title=title, height=height)
    )
