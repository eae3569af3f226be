"""Figures for the assessment: the pages' own chart builders, and a static map of estates.

Trend and SPC charts come from ``csp_dash.ui.charts`` (pure altair, no Streamlit), so the
document shows the same chart the Crime trends page draws. Maps are altair geoshapes
rendered by vl-convert like every other chart: no new dependency, one rendering path (PNG in
Word, SVG in PDF), and labels and a legend that stay sharp in the SVG.
"""

from __future__ import annotations

import json

import altair as alt
import geopandas as gpd
import pandas as pd
import shapely

from csp_dash.report.model import Figure
from csp_dash.trends.view import trend_frame
from csp_dash.ui import charts as page_charts

MAP_LABELS = 5  # name the busiest estates only: 24 labels would hide the map


def trend_figure(monthly: pd.Series, first, label: str, title: str, events: pd.DataFrame,
                 subtitle: str) -> Figure:
    frame = trend_frame(monthly, first)
    _, chart = page_charts.trend_chart(frame, label, title, events=events, subtitle=subtitle)
    shown = frame.dropna(subset=["rolling_12"])
    latest = (f" The rolling 12-month total ends at {shown['rolling_12'].iloc[-1]:,.0f}."
              if len(shown) else "")
    alt_text = (f"Bar chart of monthly {label.lower()} from {frame['month'].iloc[0]:%B %Y} to "
                f"{frame['month'].iloc[-1]:%B %Y}, with a line of the rolling 12-month total "
                f"below it.{latest}")
    return Figure(chart, alt_text, title)


def spc_figure(spc: pd.DataFrame, label: str, title: str, events: pd.DataFrame,
               summary: dict) -> Figure:
    chart = page_charts.spc_chart(spc, label, title, events=events)
    alt_text = (f"XmR control chart of monthly {label.lower()}, {len(spc)} points, mean "
                f"{summary['mean']:,.1f}, process limits {summary['lcl']:,.1f} to "
                f"{summary['ucl']:,.1f}. {summary['message']}")
    return Figure(chart, alt_text, title)


def estate_map(areas: gpd.GeoDataFrame, values: pd.Series, title: str, legend: str,
               subject: str, outline: gpd.GeoDataFrame | None = None) -> Figure:
    """Estates shaded by ``values`` (index: estate code), the busiest named, with a legend,
    over the district's outline (grey) where one is loaded."""
    gdf = areas[["name", "geometry"]].copy()
    gdf["value"] = values.reindex(gdf.index).fillna(0).astype(float)
    # d3 (Vega) wants clockwise outer rings; GeoJSON's counter-clockwise fills the globe.
    gdf["geometry"] = shapely.orient_polygons(gdf.geometry.values, exterior_cw=True)
    geo = json.loads(gdf.reset_index().to_json())
    shapes = (
        alt.Chart(alt.Data(values=geo["features"]))
        .mark_geoshape(stroke="white", strokeWidth=0.8)
        .encode(color=alt.Color("properties.value:Q", title=legend,
                                scale=alt.Scale(scheme="blues"),
                                legend=alt.Legend(orient="right", format=",.0f")))
    )
    top = gdf.sort_values("value", ascending=False).head(MAP_LABELS)
    pts = top.geometry.representative_point()
    labels = pd.DataFrame({"name": top["name"].to_numpy(), "lon": pts.x.to_numpy(),
                           "lat": pts.y.to_numpy()})
    text = (
        alt.Chart(labels)
        .mark_text(fontSize=11, fontWeight="bold", color="#111", dy=-14)
        .encode(longitude="lon:Q", latitude="lat:Q", text="name:N")
    )
    layers = [shapes, text]
    if outline is not None and len(outline):
        ring = json.loads(gpd.GeoSeries(shapely.orient_polygons(
            outline.geometry.values, exterior_cw=True), crs=outline.crs).to_json())
        layers.insert(0, alt.Chart(alt.Data(values=ring["features"])).mark_geoshape(
            fill="#f2f2f2", stroke="#888", strokeWidth=1))
    chart = (
        alt.layer(*layers)
        .project(type="mercator")
        .properties(width=480, height=360, title=alt.TitleParams(title, anchor="start"))
    )
    named = ", ".join(f"{n} ({v:,.0f})" for n, v in zip(top["name"], top["value"], strict=True))
    alt_text = (f"Map of {len(gdf)} estates shaded by {legend} for {subject}; darker "
                f"is higher. The busiest, labelled: {named}.")
    return Figure(chart, alt_text, title, width_cm=13.0)
