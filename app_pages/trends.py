"""Crime trends: monthly counts and rates, year on year, SPC, seasonality, harm and comparators."""

import streamlit as st

from csp_dash.ui import components
from csp_dash.ui.filters import sidebar_filters
from csp_dash.ui.horizon.forecast_tab import forecast_tab
from csp_dash.ui.meeting.mode import not_on_slide
from csp_dash.ui.trends import sections as trends_sections
from csp_dash.ui.trends.comparison import comparison_tab
from csp_dash.ui.trends.data import context, keep_state
from csp_dash.ui.trends.harm import harm_note, harm_tab, scheme_picker

# Keep tab widgets while their tab is closed (Streamlit drops the state of undrawn widgets);
# the shared filters are drawn, and kept, by the router (app.py).
keep_state(*trends_sections.TAB_KEYS)
f = sidebar_filters()
st.title("Crime trends")
components.demo_banner()
if f is None:
    st.info("Load police.uk data on the Data page to see trends.")
    st.stop()

ctx = context(f)
c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
choice = c1.segmented_control(
    "Measure",
    list(trends_sections.MEASURE_CHOICES),
    key="measure",
    default="Count",
    required=True,
    bind="query-params",
    help="Rate: per 1,000 residents (per 1,000 households for burglary alone). "
    "Harm-weighted: Σ count × weight, with the weights chosen on the right.",
)
measure = trends_sections.MEASURE_CHOICES[choice]
scheme, weights, edited = scheme_picker(c2, f.url)
note = harm_note(scheme, edited)
with not_on_slide():
    latest = trends_sections.headline_tiles(ctx)
components.district_note(f.url, f.start, f.end)

trend, yoy, spc, seasonal, harm_view, compare_view, forecast_view = st.tabs(
    ["Trend", "Year on year", "SPC", "Seasonal", "Harm", "Comparison", "Forecast"],
    key="view",
    bind="query-params",
)
if trend.open:
    with trend:
        trends_sections.trend_tab(ctx, measure, weights, note)
if yoy.open:
    with yoy:
        trends_sections.yoy_tab(ctx, latest)
if spc.open:
    with spc:
        trends_sections.spc_tab(ctx, measure, weights, note)
if seasonal.open:
    with seasonal:
        trends_sections.seasonal_tab(ctx, measure, weights)
if harm_view.open:
    with harm_view:
        harm_tab(ctx, scheme, weights, edited)
if compare_view.open:
    with compare_view:
        comparison_tab(ctx)
if forecast_view.open:
    with forecast_view:
        forecast_tab(f.url, f.layer, f.area, ctx.place, ctx.categories, ctx.selected_themes)
