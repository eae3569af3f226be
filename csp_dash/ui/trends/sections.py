"""The trends page's tabs: trend, year on year, SPC and seasonal decomposition."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csp_dash.analysis.periods import comparison_window, window
from csp_dash.analysis.seasonal import MIN_MONTHS, decompose, decompose_reason
from csp_dash.analysis.spc import spc_summary, xmr
from csp_dash.analysis.trends import year_windows
from csp_dash.overview.comparison import window_label
from csp_dash.trends.view import (
    MEASURES,
    default_year_end,
    fill_gaps,
    improvement_for,
    measure_series,
    rebase_months,
    trend_frame,
    year_end_options,
    yoy_table,
)
from csp_dash.ui import charts, components
from csp_dash.ui.downloads import chart_with_downloads, rows_height, table_with_downloads
from csp_dash.ui.trends import controls as trends_controls
from csp_dash.ui.trends.data import TrendContext, directions

ALL_SELECTED = "All selected categories"
# Measure control label -> measure; the label is what the URL carries (?measure=Rate).
MEASURE_CHOICES = {"Count": "count", "Rate": "rate", "Harm-weighted": "harm"}
YOY_SHOWN = {
    "name": "Name",
    "level": "Level",
    "theme": "Theme",
    "current": "Current",
    "previous": "Previous",
    "change": "Change",
    "pct": "Change %",
    "z": "Poisson z",
    "direction": "Significance (|z| > 2)",
    "rate_current": "Rate now",
    "rate_previous": "Rate before",
    "rate_base": "Rate base",
}
YOY_CONFIG = {
    "Change %": st.column_config.NumberColumn(format="%+.1f%%"),
    "Poisson z": st.column_config.NumberColumn(format="%+.2f"),
    "Change": st.column_config.NumberColumn(format="%+d"),
    "Current": st.column_config.NumberColumn(format="localized"),
    "Previous": st.column_config.NumberColumn(format="localized"),
    "Rate now": st.column_config.NumberColumn(format="%.2f"),
    "Rate before": st.column_config.NumberColumn(format="%.2f"),
}
# Widget keys inside tabs, kept while their tab is closed.
TAB_KEYS = (
    "tr_split",
    "tr_year_end",
    "spc_series",
    "spc_base",
    "spc_rebase",
    "spc_screen",
    "stl_fill",
    "cmp_areas",
    "cmp_measure",
    "forecast_series",
    "forecast_horizon",
)


def _default(key: str, value) -> None:
    st.session_state.setdefault(key, value)


def selection_words(categories: list[str]) -> str:
    return ", ".join(categories) if len(categories) <= 3 else f"{len(categories)} categories"


def _subtitle(*parts: str) -> str:
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]


def series_for(
    ctx: TrendContext,
    measure: str,
    weights: pd.Series | None,
    first,
    last,
    categories: list[str] | None = None,
) -> tuple[pd.Series, str, str]:
    """The measure's monthly series, its label and the measure actually used (rate may fall
    back to count where there is no population)."""
    wide = ctx.wide(first, last, categories)
    try:
        s, label = measure_series(wide, measure, ctx.population, weights)
        return s, label, measure
    except ValueError:
        s, label = measure_series(wide, "count", ctx.population)
        return s, label, "count"


def headline_tiles(ctx: TrendContext) -> pd.DataFrame:
    """Tiles for the selection: the period against its comparison period, and its rate."""
    current = window(ctx.f.end, ctx.f.length)
    previous, _ = comparison_window(current)
    yoy = yoy_table(ctx.counts, ctx.themes, ctx.categories, current, previous, ctx.population,
                    ctx.loaded)
    total = yoy[yoy["level"] == "Total"].iloc[0]
    cols = st.columns(3)
    complete = not yoy.attrs["missing_months"]
    components.change_tile(cols[0], f"Selected categories, {window_label(current)}", total,
                           complete, window_label(previous))
    rate = total["rate_current"]
    base = total["rate_base"] or "per 1,000"
    cols[1].metric(
        f"Rate {base}",
        "n/a" if pd.isna(rate) else f"{rate:,.2f}",
        help=f"{window_label(current)}. {ctx.population.note}",
        border=True,
    )
    cols[2].metric(
        "Categories selected", f"{len(ctx.categories)}", help=", ".join(ctx.categories), border=True
    )
    st.caption(
        f"{window_label(current)} against {window_label(previous)}, {ctx.place}. "
        f"{ctx.population.note}"
    )
    return yoy


def trend_tab(ctx: TrendContext, measure: str, weights: pd.Series | None, harm_note: str) -> None:
    f = ctx.f
    lead = (pd.Timestamp(f.start) - pd.DateOffset(months=11)).date()
    series, label, used = series_for(ctx, measure, weights, lead, f.end)
    if used != measure:
        st.warning(f"Rates are not available: {ctx.population.note} Showing counts.")
    frame = trend_frame(series, f.start)
    gaps = frame.loc[frame["value"].isna(), "month"]
    if len(gaps):
        st.warning(
            "No data loaded for "
            + ", ".join(f"{m:%b %Y}" for m in gaps)
            + ": the month is shown as a gap and rolling totals across it are blank."
        )
    title = f"{label}: {selection_words(ctx.categories)}"
    subtitle = _subtitle(ctx.place, harm_note if used == "harm" else "")
    panels = charts.trend_panels(frame, label, events=ctx.events)
    chart_with_downloads(lambda: charts.stack(panels, title, subtitle), f"trend {label}",
                         key="dl_trend_chart", shown=panels, title=title, subtitle=subtitle)
    if frame["rolling_12"].isna().all():
        st.caption("No rolling 12-month total: it needs 12 months in a row loaded.")
    _default("tr_split", False)
    if st.toggle("Split by category", key="tr_split", bind="query-params") and len(ctx.categories) > 1:
        wide = ctx.wide(f.start, f.end)
        if used != "count":
            wide = wide.apply(
                lambda s: measure_series(s.to_frame(), used, ctx.population, weights)[0]
            )
        chart_with_downloads(
            charts.category_lines(wide, label, f"{label} by category"),
            "trend by category",
            key="dl_trend_split",
        )
    table = frame.rename(
        columns={"month": "Month", "value": label, "rolling_12": "Rolling 12-month total"}
    )
    table["Month"] = table["Month"].dt.strftime("%Y-%m")
    with st.expander("Monthly figures"):
        table_with_downloads(
            table,
            "monthly trend",
            stamp=ctx.stamp(harm_note if used == "harm" else ""),
            key="dl_trend_table",
        )


def _yoy_block(ctx: TrendContext, yoy: pd.DataFrame, heading: str, key: str) -> None:
    st.markdown(f"**{heading}**")
    if yoy.attrs.get("missing_months"):
        st.warning(
            "No data loaded for "
            + ", ".join(f"{m:%b %Y}" for m in yoy.attrs["missing_months"])
            + ": totals for these periods are incomplete, so no change is shown."
        )
    shown = yoy[list(YOY_SHOWN)].rename(columns=YOY_SHOWN)
    table_with_downloads(
        shown,
        f"year on year {heading}",
        stamp=ctx.stamp(heading),
        key=key,
        column_config=YOY_CONFIG,
        height=rows_height(len(shown)),
    )


def yoy_tab(ctx: TrendContext, latest: pd.DataFrame) -> None:
    current = window(ctx.f.end, ctx.f.length)
    previous, what = comparison_window(current)
    _yoy_block(ctx, latest, f"{window_label(current)} against {what} ({window_label(previous)})",
               "dl_yoy_latest")
    cats = latest[latest["level"] == "Category"]
    if not latest.attrs.get("missing_months"):
        chart_with_downloads(
            charts.change_chart(cats, f"Change on {what}"),
            "change by category",
            key="dl_yoy_chart",
        )
    options = year_end_options(ctx.loaded)
    if not options:
        st.info("A chosen-year comparison needs 24 months of data.")
        return
    if st.session_state.get("tr_year_end") not in options:
        st.session_state["tr_year_end"] = default_year_end(options)
    end = st.columns([1, 2])[0].selectbox(
        "Compare the year ending",
        options,
        key="tr_year_end", bind="query-params",
        format_func=lambda m: f"{m:%b %Y}",
        help="Financial years end in March; any month can end a year.",
    )
    cur, prev = year_windows(end, 2)
    chosen = yoy_table(ctx.counts, ctx.themes, ctx.categories, cur, prev, ctx.population,
                       ctx.loaded)
    _yoy_block(ctx, chosen, f"Year ending {end:%b %Y} against the year before", "dl_yoy_chosen")
    st.caption(
        "Change is significant where the Poisson z = 2(√current − √previous) exceeds 2 in "
        "size (Wheeler): a percentage alone misleads on small counts. Rates are per 1,000 "
        "residents (burglary per 1,000 households where household counts are loaded)."
    )


def spc_tab(ctx: TrendContext, measure: str, weights: pd.Series | None, harm_note: str) -> None:
    f = ctx.f
    c1, c2, c3 = st.columns([2, 1, 1])
    _default("spc_series", ALL_SELECTED)
    if st.session_state["spc_series"] not in [ALL_SELECTED, *ctx.categories]:
        st.session_state["spc_series"] = ALL_SELECTED
    pick = c1.selectbox("Series", [ALL_SELECTED, *ctx.categories], key="spc_series", bind="query-params")
    cats = ctx.categories if pick == ALL_SELECTED else [pick]
    series, label, used = series_for(ctx, measure, weights, f.start, f.end, cats)
    series = series.dropna()  # a month with no data loaded is left out, not counted as zero
    if len(series) < 2:
        st.info("An XmR chart needs at least two months: choose a longer period.")
        return
    _default("spc_base", 0)
    n_base = c2.number_input(
        "Baseline: first N points (0 = all)",
        min_value=0,
        max_value=len(series),
        step=1,
        key="spc_base", bind="query-params",
        help="Fix the mean and limits to the first N points of each segment",
    )
    _default("spc_screen", False)
    screen = c3.toggle(
        "Moving-range screen",
        key="spc_screen", bind="query-params",
        help="Leave out moving ranges above 3.267 × the mean before the limits",
    )
    _default("spc_rebase", False)
    rebase = st.checkbox(
        "Rebase at declared events (recording changes and rebases)",
        key="spc_rebase", bind="query-params",
        help="Never automatic: tick to start new limits at each declared event below.",
    )
    at = rebase_months(ctx.events, series.index) if rebase else []
    improvement, note = improvement_for(cats, ctx.themes, directions(f.url))
    spc = xmr(
        series,
        baseline_points=n_base or None,
        rebase_at=at,
        improvement=improvement,
        mr_screen=screen,
    )
    summary = spc_summary(spc)
    what = pick if pick != ALL_SELECTED else selection_words(ctx.categories)
    title = f"SPC (XmR) of the monthly {label.lower()}: {what}"
    chart = charts.spc_chart(
        spc,
        label,
        title,
        events=ctx.events,
        subtitle=_subtitle(ctx.place, note, harm_note if used == "harm" else ""),
    )
    chart_with_downloads(chart, "spc chart", key="dl_spc_chart")
    {"improvement": st.success, "concern": st.error}.get(summary["latest_variation"], st.info)(
        summary["message"]
    )
    for w in spc.attrs["warnings"]:
        st.caption(f":material/warning: {w}")
    st.caption(
        f"{note} Limits: mean ± 2.66 × the mean moving range. Special cause: a point "
        "outside the limits, 7 in a row one side of the mean, 7 rising or falling, or 2 of "
        "3 beyond two-thirds of the way to a limit."
        + (" Grey shading: the fixed baseline." if n_base else "")
        + (f" Rebased at {', '.join(f'{m:%b %Y}' for m in at)}." if at else "")
    )
    out = spc.rename_axis("month").reset_index()
    out["month"] = out["month"].dt.strftime("%Y-%m")
    with st.expander("SPC table"):
        table_with_downloads(
            out,
            "spc table",
            stamp=ctx.stamp(harm_note if used == "harm" else ""),
            key="dl_spc_table",
        )
    trends_controls.events_editor(ctx)
    trends_controls.directions_editor(ctx)


def seasonal_tab(ctx: TrendContext, measure: str, weights: pd.Series | None) -> None:
    f = ctx.f
    series, label, _ = series_for(ctx, measure, weights, f.start, f.end)
    if series.notna().any():  # months before the data starts or after it ends are not gaps
        series = series.loc[series.first_valid_index() : series.last_valid_index()]
    reason = decompose_reason(series)
    filled: list[pd.Timestamp] = []
    gap_only = bool(reason) and series.isna().any() and len(series) >= MIN_MONTHS
    if gap_only:
        st.info(reason)
        _default("stl_fill", False)
        if st.checkbox(
            "Estimate the missing months by straight-line interpolation, for this "
            "decomposition only",
            key="stl_fill", bind="query-params",
        ):
            series, filled = fill_gaps(series)
            reason = decompose_reason(series)
    if reason:
        if not gap_only:
            st.info(f"{reason} Choose a period of {MIN_MONTHS} or more months in the sidebar.")
        return
    result = decompose(series)
    st.metric(
        "Strength of seasonality",
        f"{result.seasonal_strength:.2f}",
        help="0 = none, 1 = strong (Hyndman): 1 − var(remainder) / var(seasonal + remainder)",
    )
    title = f"Seasonal decomposition (STL): {label.lower()}"
    subtitle = charts.stl_subtitle(label, filled)
    panels = charts.stl_panels(result, filled)
    chart_with_downloads(lambda: charts.stack(panels, title, subtitle, spacing=4),
                         "seasonal decomposition", key="dl_stl_chart", shown=panels, title=title,
                         subtitle=subtitle)
    table = pd.DataFrame(
        {
            "month": result.observed.index.strftime("%Y-%m"),
            "observed": result.observed.to_numpy(),
            "trend": result.trend.to_numpy(),
            "seasonal": result.seasonal.to_numpy(),
            "remainder": result.resid.to_numpy(),
            "estimated": result.observed.index.isin(filled),
        }
    )
    with st.expander("Components"):
        table_with_downloads(table, "seasonal components", stamp=ctx.stamp(), key="dl_stl_table")
    st.caption(
        "STL (period 12, robust; as statsmodels computes it) over the period chosen in the sidebar. "
        f"Needs at least {MIN_MONTHS} consecutive months. Measure: "
        f"{MEASURES.get(measure, measure).lower()}."
    )
