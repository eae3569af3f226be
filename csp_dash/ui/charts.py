"""Altair chart builders for the trends page: each takes a few hundred aggregated rows.

Colours for SPC follow NHS "Making Data Count": blue for improvement, orange for concern,
purple where no direction is set, grey for common-cause variation.
"""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from csp_dash.analysis.seasonal import SeasonalResult

VARIATION_COLOURS = {
    "common": "#9e9e9e",
    "improvement": "#1f77b4",
    "concern": "#f28e2b",
    "neutral": "#7b4ea3",
}
VARIATION_LABELS = {
    "common": "Common cause",
    "improvement": "Improvement",
    "concern": "Concern",
    "neutral": "Special cause (no direction)",
}
BAR = "#9ecae1"
LINE = "#08519c"
EVENT = "#b22222"
WIDTH = 720  # stretched to the page by st.altair_chart; fixed for PNG/SVG export


def _events_layer(events: pd.DataFrame | None, first: pd.Timestamp, last: pd.Timestamp):
    """Vertical rules and labels at declared events inside the chart's months (or None)."""
    if events is None or events.empty:
        return None
    ev = events[(events["month"] >= first) & (events["month"] <= last)]
    if ev.empty:
        return None
    ev = ev.assign(text=[textwrap.shorten(t, 44, placeholder="…") for t in ev["label"]])
    base = alt.Chart(ev)
    rule = base.mark_rule(color=EVENT, strokeDash=[4, 3]).encode(
        x="month:T",
        tooltip=[alt.Tooltip("month:T", format="%b %Y"), "label:N", "kind:N", "scope:N"],
    )
    text = base.mark_text(
        align="right", baseline="top", dx=-3, dy=2, color=EVENT, fontSize=10, limit=220
    ).encode(x="month:T", y=alt.value(0), text="text:N")
    return rule + text


def _title(title: str, subtitle: str | None = None) -> alt.TitleParams:
    return alt.TitleParams(title, subtitle=subtitle or "", anchor="start", fontSize=14)


def trend_chart(
    frame: pd.DataFrame,
    label: str,
    title: str,
    *,
    events: pd.DataFrame | None = None,
    subtitle: str | None = None,
) -> tuple[list[alt.LayerChart], alt.VConcatChart]:
    """Monthly bars above the rolling 12-month total: (untitled panels to draw, one titled
    chart to export)."""
    data = frame.assign(month=pd.to_datetime(frame["month"]))
    first, last = data["month"].min(), data["month"].max()
    # Each bar spans its month; a fixed domain lines the two panels up.
    domain = [first.isoformat(), (last + pd.DateOffset(months=1)).isoformat()]
    x = alt.X(
        "yearmonth(month):T",
        title=None,
        scale=alt.Scale(domain=domain),
        axis=alt.Axis(format="%b %Y", labelAngle=0),
    )
    x_mid = alt.X(
        "yearmonth(month):T",
        title=None,
        scale=alt.Scale(domain=domain),
        axis=alt.Axis(format="%b %Y", labelAngle=0),
        bandPosition=0.5,
    )
    tooltip = [
        alt.Tooltip("month:T", format="%b %Y"),
        alt.Tooltip("value:Q", title="Monthly", format=",.1f"),
        alt.Tooltip("rolling_12:Q", title="Rolling 12 months", format=",.1f"),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(color=BAR, stroke="white", strokeWidth=0.5)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=f"Monthly {label.lower()}", axis=alt.Axis(minExtent=60)),
            tooltip=tooltip,
        )
    )
    line = (
        alt.Chart(data)
        .mark_line(color=LINE, strokeWidth=2.5, point=alt.OverlayMarkDef(size=12, color=LINE))
        .encode(
            x=x_mid,
            y=alt.Y(
                "rolling_12:Q",
                title="Rolling 12 months",
                scale=alt.Scale(zero=False),
                axis=alt.Axis(minExtent=60),
            ),
            tooltip=tooltip,
        )
    )
    panels = []
    for chart, height in ((bars, 220), (line, 150)):
        ev = _events_layer(events, first, last)
        panels.append(
            alt.layer(chart, *([ev] if ev is not None else [])).properties(
                width=WIDTH, height=height
            )
        )
    export = (
        alt.vconcat(*panels, spacing=8)
        .resolve_scale(x="shared")
        .properties(title=_title(title, subtitle))
    )
    return panels, export


def category_lines(wide: pd.DataFrame, label: str, title: str) -> alt.Chart:
    """One monthly line per category (the selection split)."""
    long = (
        wide.rename_axis("month")
        .reset_index()
        .melt("month", var_name="category", value_name="value")
    )
    return (
        alt.Chart(long)
        .mark_line(point=False)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y")),
            y=alt.Y("value:Q", title=label),
            color=alt.Color(
                "category:N", title="Category", legend=alt.Legend(orient="right", labelLimit=220)
            ),
            tooltip=[
                alt.Tooltip("month:T", format="%b %Y"),
                "category:N",
                alt.Tooltip("value:Q", format=",.1f"),
            ],
        )
        .properties(title=_title(title), width=WIDTH, height=320)
    )


def spc_chart(
    spc: pd.DataFrame,
    label: str,
    title: str,
    *,
    events: pd.DataFrame | None = None,
    subtitle: str | None = None,
) -> alt.Chart:
    """XmR chart: values, mean and process limits per segment, points coloured by variation."""
    data = spc.rename_axis("month").reset_index()
    data["variation_label"] = data["variation"].map(VARIATION_LABELS)
    data["rules"] = [_rules(r) for r in data.itertuples()]
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0))
    limits = data.melt(
        id_vars=["month", "segment"],
        value_vars=["mean", "ucl", "lcl"],
        var_name="line",
        value_name="level",
    )
    limit_lines = (
        alt.Chart(limits)
        .mark_line(interpolate="step-after")
        .encode(
            x=x,
            y=alt.Y("level:Q", title=label),
            detail="segment:N",
            strokeDash=alt.StrokeDash(
                "line:N",
                scale=alt.Scale(domain=["mean", "ucl", "lcl"], range=[[1, 0], [6, 4], [6, 4]]),
                legend=None,
            ),
            color=alt.value("#555555"),
            tooltip=["line:N", alt.Tooltip("level:Q", format=",.1f")],
        )
    )
    path = alt.Chart(data).mark_line(color="#bdbdbd").encode(x=x, y="value:Q", detail="segment:N")
    points = (
        alt.Chart(data)
        .mark_circle(size=70, opacity=1)
        .encode(
            x=x,
            y="value:Q",
            color=alt.Color(
                "variation_label:N",
                title=None,
                scale=alt.Scale(
                    domain=list(VARIATION_LABELS.values()), range=list(VARIATION_COLOURS.values())
                ),
                legend=alt.Legend(orient="bottom", labelLimit=260),
            ),
            tooltip=[
                alt.Tooltip("month:T", format="%b %Y"),
                alt.Tooltip("value:Q", format=",.2f"),
                alt.Tooltip("variation_label:N", title="Variation"),
                alt.Tooltip("rules:N", title="Rules fired"),
                alt.Tooltip("mean:Q", format=",.1f"),
                alt.Tooltip("ucl:Q", format=",.1f"),
                alt.Tooltip("lcl:Q", format=",.1f"),
            ],
        )
    )
    layers = [limit_lines, path, points]
    if not data["baseline"].all():  # shade a fixed baseline only
        spans = (
            data[data["baseline"]].groupby("segment", as_index=False)["month"].agg(["min", "max"])
        )
        layers.insert(0, alt.Chart(spans).mark_rect(color="#ececec").encode(x="min:T", x2="max:T"))
    chart = alt.layer(*layers)
    ev = _events_layer(events, data["month"].min(), data["month"].max())
    if ev is not None:
        chart = alt.layer(chart, ev)
    return chart.properties(title=_title(title, subtitle), width=WIDTH, height=340)


def _rules(row) -> str:
    names = [
        ("outside", "outside the limits"),
        ("run_side", "run of 7 one side"),
        ("run_trend", "trend of 7"),
        ("two_of_three", "2 of 3 near a limit"),
    ]
    fired = [text for col, text in names if getattr(row, col)]
    return ", ".join(fired) or "none"


def stl_chart(
    result: SeasonalResult, label: str, title: str, filled: list[pd.Timestamp] | None = None
) -> tuple[list[alt.LayerChart], alt.VConcatChart]:
    """Observed, trend, seasonal and remainder: (untitled panels to draw, one titled chart to
    export)."""
    panels_in = [
        ("Observed", result.observed),
        ("Trend", result.trend),
        ("Seasonal", result.seasonal),
        ("Remainder", result.resid),
    ]
    filled_set = set(filled or [])
    panels = []
    for name, s in panels_in:
        df = pd.DataFrame({"month": s.index, "value": s.to_numpy()})
        df["estimated"] = df["month"].isin(filled_set)
        base = alt.Chart(df)
        mark = base.mark_bar(color=BAR) if name == "Remainder" else base.mark_line(color=LINE)
        layers = [
            mark.encode(
                x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0)),
                y=alt.Y(
                    "value:Q", title=name, scale=alt.Scale(zero=False), axis=alt.Axis(minExtent=60)
                ),
                tooltip=[
                    alt.Tooltip("month:T", format="%b %Y"),
                    alt.Tooltip("value:Q", format=",.1f"),
                ],
            )
        ]
        if filled_set and name == "Observed":
            layers.append(
                alt.Chart(df[df["estimated"]])
                .mark_point(color=EVENT, size=80, filled=True)
                .encode(x="month:T", y="value:Q")
            )
        panels.append(alt.layer(*layers).properties(width=WIDTH, height=120))
    sub = "Red dots: months estimated by interpolation" if filled_set else label
    export = (
        alt.vconcat(*panels, spacing=4)
        .resolve_scale(x="shared")
        .properties(title=_title(title, sub))
    )
    return panels, export


def harm_rank_chart(ranking: pd.DataFrame, weights_note: str) -> alt.HConcatChart:
    """Share of the count against share of the harm, each sorted, side by side."""

    def bars(value: str, share: str, rank: str, heading: str, colour: str) -> alt.Chart:
        return (
            alt.Chart(ranking)
            .mark_bar(color=colour)
            .encode(
                y=alt.Y(
                    "category:N",
                    sort=alt.EncodingSortField(share, order="descending"),
                    title=None,
                    axis=alt.Axis(labelLimit=220),
                ),
                x=alt.X(f"{share}:Q", title="Share (%)"),
                tooltip=[
                    "category:N",
                    alt.Tooltip(f"{value}:Q", format=",.0f"),
                    alt.Tooltip(f"{share}:Q", format=".1f", title="Share %"),
                    alt.Tooltip(f"{rank}:Q", title="Rank"),
                ],
            )
            .properties(title=heading, width=260, height=alt.Step(20))
        )

    return alt.hconcat(
        bars("count", "count_share", "count_rank", "By count", BAR),
        bars("harm", "harm_share", "harm_rank", "By harm", "#d6604d"),
    ).properties(title=_title("Ranking by count and by harm", weights_note))


def change_chart(yoy: pd.DataFrame, title: str) -> alt.Chart:
    """% change by category, coloured by Poisson significance."""
    df = yoy.assign(
        sig=yoy["significant"].map({True: "Significant (|z| > 2)", False: "Not significant"})
    )
    df.attrs = {}  # Streamlit cannot serialise the list of gap months
    return (
        alt.Chart(df.dropna(subset=["pct"]))
        .mark_bar()
        .encode(
            y=alt.Y(
                "name:N",
                sort=alt.EncodingSortField("pct", order="descending"),
                title=None,
                axis=alt.Axis(labelLimit=240),
            ),
            x=alt.X("pct:Q", title="Change (%)"),
            color=alt.Color(
                "sig:N",
                title=None,
                scale=alt.Scale(
                    domain=["Significant (|z| > 2)", "Not significant"], range=[LINE, "#c6dbef"]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                "name:N",
                "current:Q",
                "previous:Q",
                alt.Tooltip("pct:Q", format="+.1f"),
                alt.Tooltip("z:Q", format="+.2f"),
            ],
        )
        .properties(title=_title(title), width=WIDTH, height=alt.Step(22))
    )


def comparison_chart(table: pd.DataFrame, measure: str, title: str) -> alt.Chart:
    """12-month rate or index by year end, one line per area; the local area drawn heavier."""
    field, axis = (
        ("rate", "Rate per 1,000 (12 months)")
        if measure == "rate"
        else ("index", "Index (first year = 100)")
    )
    return (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(
            x=alt.X("year_end:T", title="12 months ending", axis=alt.Axis(format="%b %Y")),
            y=alt.Y(f"{field}:Q", title=axis, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "area:N", title=None, legend=alt.Legend(orient="right", labelLimit=260)
            ),
            strokeWidth=alt.condition("datum.is_local", alt.value(3.5), alt.value(1.5)),
            tooltip=[
                "area:N",
                alt.Tooltip("year_end:T", format="%b %Y"),
                alt.Tooltip("count:Q", format=",.0f"),
                alt.Tooltip(f"{field}:Q", format=",.2f"),
            ],
        )
        .properties(title=_title(title), width=WIDTH, height=320)
    )
