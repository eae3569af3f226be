"""Altair chart builders for the trends page: each takes a few hundred aggregated rows.

Colours for SPC follow NHS "Making Data Count": blue for improvement, orange for concern,
purple where no direction is set, grey for common-cause variation; every colour comes from
csp_dash.palette (colour-blind safe). Axes show only months with data, event labels stay
inside the plot, the rolling 12-month line starts at zero and SPC charts scale to the data
and limits (docs/methods.md, "Charts").
"""

from __future__ import annotations

import hashlib
import textwrap
import threading
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd
import streamlit as st
from altair.vegalite.data import default_data_transformer
from streamlit import dataframe_util

from csp_dash import config, palette
from csp_dash.ui.meeting import room_charts as _room  # noqa: F401  registers the charts' theme
from csp_dash.ui.meeting.mode import presenting

if TYPE_CHECKING:  # seasonal is imported only by the pages that decompose
    from csp_dash.analysis.seasonal import SeasonalResult

VARIATION_COLOURS = {k: palette.SPC[k] for k in ("common", "improvement", "concern", "neutral")}
VARIATION_LABELS = {
    "common": "Common cause",
    "improvement": "Improvement",
    "concern": "Concern",
    "neutral": "Special cause (no direction)",
}
BAR = palette.BAR
LINE = palette.LINE
EVENT = palette.EVENT
WIDTH = 720  # stretched to the page when drawn; fixed for PNG/SVG export
#: Most month labels on an axis; beyond this every 2nd, 3rd, ... month is labelled.
MAX_MONTH_LABELS = 12
EVENT_ROWS = 3  # labels of nearby events are staggered over this many lines
EVENT_FONT = 11
ROOM_EVENT_FONT = 16  # while presenting: read from the back of a room (ui/meeting/mode.py)


def draw(chart: alt.TopLevelMixin, *, key: str | None = None, **kwargs: Any) -> None:
    """Draw an altair chart, as st.altair_chart would (same options), at less cost."""
    st.vega_lite_chart(spec=vega_lite(chart), key=key, **kwargs)


CHECK = config.check_charts()
_tables = threading.local()  # the tables of the chart this thread is converting, if any


def vega_lite(chart: alt.TopLevelMixin) -> dict:
    """The chart as st.altair_chart sends it (Vega-Lite, each table as Arrow bytes named by
    its content's hash), but checked against the Vega-Lite schema only where
    config.check_charts() (the tests): the check was a fifth of a Crime trends rerun."""
    _tables.datasets = {}
    try:
        spec = chart.to_dict(validate=CHECK)
        spec["datasets"] = {**spec.get("datasets", {}), **_tables.datasets}
    finally:
        _tables.datasets = None
    return spec


def _arrow_tables(data: Any, **kwargs: Any) -> Any:
    """Altair's data transformer for the whole process: inside `vega_lite`, a table is kept as
    Arrow bytes and referred to by name (as Streamlit does); elsewhere (exports, tests) Altair's
    own. One transformer, enabled once: switching transformers per chart is process-wide in
    Altair, so a session converting a chart would see another's. (Hence no page calls
    st.altair_chart, which switches it: tests/ui/test_chart_drawing.py fails on one.)"""
    datasets = getattr(_tables, "datasets", None)
    if datasets is None or hasattr(data, "__geo_interface__"):
        return default_data_transformer(data, **kwargs)
    payload = dataframe_util.convert_anything_to_arrow_bytes(data)
    name = hashlib.md5(payload, usedforsecurity=False).hexdigest()
    datasets[name] = payload
    return {"name": name}


alt.data_transformers.register("csp_dash", _arrow_tables)
alt.data_transformers.enable("csp_dash")


def month_axis(months, fmt: str = "%b %Y", *, mid: bool = False, **kwargs) -> alt.Axis:
    """An axis labelled only at months that have data (at most MAX_MONTH_LABELS of them,
    evenly spaced, the last month always included): Vega's own ticks would label months
    before or after the data, which read as empty months. ``mid`` puts each label under the
    middle of its month (for bars spanning the month)."""
    ms = sorted({pd.Timestamp(m).to_period("M").to_timestamp() for m in months if pd.notna(m)})
    step = max(1, -(-len(ms) // MAX_MONTH_LABELS))
    picked = ms[::-1][::step][::-1]  # counted back from the last month, which is labelled
    day = 15 if mid else 1
    values = [alt.DateTime(year=m.year, month=m.month, date=day) for m in picked]
    return alt.Axis(format=fmt, labelAngle=0, values=values, **kwargs)


def event_marks(
    events: pd.DataFrame | None,
    first: pd.Timestamp,
    last: pd.Timestamp,
    colour: str = EVENT,
    short: int = 44,
) -> list[alt.Chart]:
    """Vertical rules and labels at declared events inside the chart's months, as layers to
    add to a chart's own (none without events). Flat, not a layer of their own: Altair copies
    a nested layer's every part again, the larger share of drawing a chart.

    A label runs into the wider side of its rule (right in the first half, left in the second)
    and is cut to half the plot's width, so it never leaves the plot; labels of neighbouring
    events are staggered over EVENT_ROWS lines."""
    if events is None or events.empty:
        return []
    ev = events.assign(month=pd.to_datetime(events["month"]))
    ev = ev[(ev["month"] >= first) & (ev["month"] <= last)].sort_values("month")
    if ev.empty:
        return []
    span = max((last - first).days, 1)
    ev = ev.assign(
        text=[textwrap.shorten(str(t), short, placeholder="…") for t in ev["label"]],
        at=[(m - first).days / span for m in ev["month"]],
    )
    font = ROOM_EVENT_FONT if presenting() else EVENT_FONT
    ev = ev.assign(right=ev["at"] < 0.5, row_px=_event_rows(ev["at"], ev["text"], font))
    tips = [c for c in ("label", "kind", "scope") if c in ev.columns]
    rule = (
        alt.Chart(ev)
        .mark_rule(color=colour, strokeDash=[4, 3])
        .encode(x="month:T", tooltip=[alt.Tooltip("month:T", format="%b %Y"), *tips])
    )
    layers = [rule]
    for right, frame in ev.groupby("right"):
        layers.append(
            alt.Chart(frame)
            .mark_text(
                align="left" if right else "right",
                baseline="top",
                dx=3 if right else -3,
                color=colour,
                fontSize=font,
                limit=alt.ExprRef("width / 2 - 8"),
            )  # fmt: skip
            # y in pixels (scale=None): inside the plot, whatever the values.
            .encode(x="month:T", y=alt.Y("row_px:Q", scale=None), text="text:N")
        )
    return layers


def _event_rows(at: pd.Series, text: pd.Series, font: int = EVENT_FONT) -> list[int]:
    """Pixel offsets putting each label on the first line where it meets no earlier label
    (widths estimated at 0.6 em a character on a WIDTH-wide plot)."""
    ends = [-1.0] * EVENT_ROWS  # where each line's last label ends, left to right
    rows = []
    for a, t in zip(at, text, strict=True):
        x, w = a * WIDTH, min(len(t) * font * 0.6, WIDTH / 2)
        lo, hi = (x, x + w) if a < 0.5 else (x - w, x)
        row = next((r for r, end in enumerate(ends) if end < lo), len(rows) % EVENT_ROWS)
        ends[row] = hi
        rows.append(2 + row * (font + 3))
    return rows


def _title(title: str, subtitle: str | None = None) -> alt.TitleParams:
    # While presenting, the theme's room sizes (a size set here would override them).
    size = {} if presenting() else {"fontSize": 14}
    return alt.TitleParams(
        title, subtitle=subtitle or "", anchor="start", **size,
        color=palette.TEXT, subtitleColor=palette.MUTED_TEXT,
    )  # fmt: skip


def trend_panels(
    frame: pd.DataFrame,
    label: str,
    *,
    events: pd.DataFrame | None = None,
) -> list[alt.LayerChart]:
    """Monthly bars above the rolling 12-month total, as untitled panels drawn one under the
    other (the page stretches each to its width; `stack` makes them one chart to export)."""
    data = frame.assign(month=pd.to_datetime(frame["month"]))
    first, last = data["month"].min(), data["month"].max()
    # Each bar spans its month; a fixed domain lines the two panels up.
    domain = [first.isoformat(), (last + pd.DateOffset(months=1)).isoformat()]
    axis = month_axis(data.loc[data["value"].notna(), "month"], mid=True)
    x = alt.X("yearmonth(month):T", title=None, scale=alt.Scale(domain=domain), axis=axis)
    x_mid = alt.X(
        "yearmonth(month):T",
        title=None,
        scale=alt.Scale(domain=domain),
        axis=axis,
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
                # From zero: a cut axis turns a 3% drift into a cliff on a projector.
                scale=alt.Scale(zero=True),
                axis=alt.Axis(minExtent=60),
            ),
            tooltip=tooltip,
        )
    )
    # With fewer than 12 months in a row loaded there is no rolling total: no empty panel.
    drawn = ((bars, 220), (line, 150)) if data["rolling_12"].notna().any() else ((bars, 220),)
    ev = event_marks(events, first, last)
    return [alt.layer(chart, *ev, width=WIDTH, height=height) for chart, height in drawn]


def stack(
    panels: list, title: str, subtitle: str | None = None, spacing: int = 8
) -> alt.VConcatChart:
    """Panels as one titled chart sharing its month axis: the figure a download renders."""
    return alt.vconcat(
        *panels, spacing=spacing, resolve=alt.Resolve(scale={"x": "shared"}),
        title=_title(title, subtitle),
    )  # fmt: skip


def trend_chart(
    frame: pd.DataFrame,
    label: str,
    title: str,
    *,
    events: pd.DataFrame | None = None,
    subtitle: str | None = None,
) -> tuple[list[alt.LayerChart], alt.VConcatChart]:
    """`trend_panels` and their `stack`: (untitled panels to draw, one titled chart to
    export)."""
    panels = trend_panels(frame, label, events=events)
    return panels, stack(panels, title, subtitle)


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
            x=alt.X("month:T", title=None, axis=month_axis(long.dropna()["month"])),
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
    x = alt.X(
        "month:T", title=None, scale=alt.Scale(nice=False),
        axis=month_axis(data.loc[data["value"].notna(), "month"]),
    )  # fmt: skip
    # Scaled to the values and limits, not from zero: the variation is what is read.
    y_scale = alt.Scale(zero=False)
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
            y=alt.Y("level:Q", title=label, scale=y_scale),
            detail="segment:N",
            strokeDash=alt.StrokeDash(
                "line:N",
                scale=alt.Scale(domain=["mean", "ucl", "lcl"], range=[[1, 0], [6, 4], [6, 4]]),
                legend=None,
            ),
            color=alt.value(palette.LIMIT),
            tooltip=["line:N", alt.Tooltip("level:Q", format=",.1f")],
        )
    )
    path = (
        alt.Chart(data)
        .mark_line(color=palette.PATH)
        .encode(x=x, y=alt.Y("value:Q", scale=y_scale), detail="segment:N")
    )
    points = (
        alt.Chart(data)
        .mark_circle(size=70, opacity=1)
        .encode(
            x=x,
            y=alt.Y("value:Q", scale=y_scale),
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
        layers.insert(
            0, alt.Chart(spans).mark_rect(color=palette.SHADE).encode(x="min:T", x2="max:T")
        )
    layers += event_marks(events, data["month"].min(), data["month"].max())
    return alt.layer(*layers, title=_title(title, subtitle), width=WIDTH, height=340)


def _rules(row) -> str:
    names = [
        ("outside", "outside the limits"),
        ("run_side", "run of 7 one side"),
        ("run_trend", "trend of 7"),
        ("two_of_three", "2 of 3 near a limit"),
    ]
    fired = [text for col, text in names if getattr(row, col)]
    return ", ".join(fired) or "none"


def stl_subtitle(label: str, filled: list[pd.Timestamp] | None) -> str:
    return "Red dots: months estimated by interpolation" if filled else label


def stl_panels(
    result: SeasonalResult, filled: list[pd.Timestamp] | None = None
) -> list[alt.LayerChart]:
    """The decomposition's four panels, untitled, one under the other."""
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
                x=alt.X("month:T", title=None, axis=month_axis(df["month"])),
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
        panels.append(alt.layer(*layers, width=WIDTH, height=120))
    return panels


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
        bars("harm", "harm_share", "harm_rank", "By harm", palette.OKABE_ITO["vermillion"]),
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
                    domain=["Significant (|z| > 2)", "Not significant"],
                    range=[LINE, palette.BAR_PALE],
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
    local = list(dict.fromkeys(table.loc[table["is_local"], "area"]))
    rest = [a for a in dict.fromkeys(table["area"]) if a not in local]
    ends = table.loc[table[field].notna(), "year_end"]
    return (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(
            x=alt.X("year_end:T", title="12 months ending", axis=month_axis(ends)),
            y=alt.Y(f"{field}:Q", title=axis, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "area:N",
                title=None,
                # This partnership first, in the colour no comparator shares.
                scale=alt.Scale(
                    domain=local + rest,
                    range=[palette.OWN] * len(local) + palette.others(len(rest)),
                ),
                legend=alt.Legend(orient="right", labelLimit=260),
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
