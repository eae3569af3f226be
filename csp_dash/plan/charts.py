"""A measure's small chart: monthly values with the baseline mean, the target and the
calendar's entries; special-cause points coloured as on the SPC charts (Making Data Count)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from csp_dash import palette
from csp_dash.plan.status import MeasureRow
from csp_dash.ui.charts import month_axis  # pure Altair, as report/charts.py uses it

COLOURS = {k: palette.SPC[k] for k in ("common", "improvement", "concern")}
EVENT = palette.EVENT


def measure_chart(row: MeasureRow, calendar: pd.DataFrame | None = None,
                  width: int = 420, height: int = 150) -> alt.LayerChart:
    st, m = row.status, row.measure
    start = pd.Timestamp(m.baseline_from)
    data = row.series[row.series.index >= start].dropna().rename("value").to_frame()
    data.index.name = "month"
    data = data.reset_index()
    spc = st.spc
    data["variation"] = (data["month"].map(spc["variation"]).fillna("common")
                         if spc is not None else "common")
    x = alt.X("month:T", title=None, axis=month_axis(data["month"], fmt="%b %y"))
    y = alt.Y("value:Q", title=row.label or m.value, scale=alt.Scale(zero=False))
    base = alt.Chart(data)
    layers = [
        base.mark_line(color="#6b6b6b", strokeWidth=1.5).encode(x=x, y=y),
        base.mark_circle(size=30).encode(
            x=x, y=y,
            color=alt.Color("variation:N", legend=None,
                            scale=alt.Scale(domain=list(COLOURS), range=list(COLOURS.values()))),
            tooltip=[alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("value:Q", format=",.1f"),
                     "variation:N"]),
    ]
    lines = []
    if st.baseline is not None:
        lines.append(("baseline mean", st.baseline / 12, palette.LINE))
        if m.target_pct is not None:
            lines.append(("target", st.baseline / 12 * (1 + m.target_pct / 100), palette.TARGET))
    if lines:
        ref = pd.DataFrame([{"line": n, "y": v} for n, v, _ in lines])
        layers.append(alt.Chart(ref).mark_rule(strokeDash=[5, 3]).encode(
            y="y:Q", color=alt.Color("line:N", scale=alt.Scale(
                domain=[n for n, _, _ in lines], range=[c for *_, c in lines]),
                legend=alt.Legend(orient="bottom", title=None))))
    if calendar is not None and len(calendar) and len(data):
        ev = calendar.assign(month=pd.to_datetime(calendar["start"]))
        ev = ev[(ev["month"] >= data["month"].min()) & (ev["month"] <= data["month"].max())]
        if len(ev):
            layers.append(alt.Chart(ev[["month", "label", "kind"]]).mark_rule(
                color=EVENT, strokeDash=[2, 2]).encode(x="month:T", tooltip=["label:N", "kind:N"]))
    return alt.layer(*layers).properties(width=width, height=height)
