"""The comparison tab: local figures beside England and Wales or peers, as rates or an index."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csp_dash.trends.comparators import (
    compare,
    compare_windows,
    lacking,
    local_totals,
    twelve_month_totals,
)
from csp_dash.trends.view import default_year_end, month_index, year_end_options
from csp_dash.ui import charts
from csp_dash.ui.downloads import chart_with_downloads, table_with_downloads
from csp_dash.ui.trends.data import (
    TrendContext,
    comparison_areas,
    comparison_categories,
    comparison_periods,
)
from csp_dash.ui.trends.sections import selection_words

SHOWN = {
    "area": "Area",
    "window": "Period",
    "count": "Count",
    "rate": "Rate per 1,000",
    "previous": "Year before",
    "change_pct": "Change %",
    "local_vs_area": "Local rate as a multiple of this",
}
CONFIG = {
    "Count": st.column_config.NumberColumn(format="localized"),
    "Year before": st.column_config.NumberColumn(format="localized"),
    "Rate per 1,000": st.column_config.NumberColumn(format="%.2f"),
    "Change %": st.column_config.NumberColumn(format="%+.1f%%"),
    "Local rate as a multiple of this": st.column_config.NumberColumn(format="%.2f"),
}
MEASURES = {"rate": "Rate per 1,000", "index": "Index (first year = 100)"}


def comparison_tab(ctx: TrendContext) -> None:
    f = ctx.f
    areas = comparison_areas(f.url)
    if areas.empty:
        st.info(
            "No comparison table is loaded. Load England and Wales or peer figures with "
            "`csp-dash ingest comparison PATH` (a CSV of area, period, category, count, "
            "population)."
        )
        return
    names = list(areas["area"])
    if "cmp_areas" not in st.session_state:
        st.session_state["cmp_areas"] = names
    st.session_state["cmp_areas"] = [a for a in st.session_state["cmp_areas"] if a in names]
    c1, c2 = st.columns([3, 2])
    picked = c1.multiselect("Compare with", names, key="cmp_areas", bind="query-params")
    st.session_state.setdefault("cmp_measure", "rate")
    measure = c2.segmented_control(
        "Show as", list(MEASURES), format_func=MEASURES.get, key="cmp_measure", required=True,
        bind="query-params",
    )
    if not picked:
        st.info("Choose at least one area to compare with.")
        return
    periods = comparison_periods(f.url, tuple(picked), tuple(ctx.categories))
    year_ends = [m.date() for m in month_index(f.start, f.end)]
    local_name = f"This partnership: {ctx.place}"
    monthly = ctx.wide(min(ctx.loaded), f.end).sum(axis=1, min_count=1)
    local = local_totals(monthly, year_ends, ctx.population.residents, local_name)
    table = compare(local, twelve_month_totals(periods, year_ends))
    if measure == "rate" and ctx.population.residents is None:
        st.warning(
            f"No local rate: {ctx.population.note} Show the index instead, or load population."
        )
    for area, gone in lacking(comparison_categories(f.url), picked, ctx.categories).items():
        st.warning(
            f"{area} has no rows for {', '.join(gone)}: its figures leave them out, so "
            "they are not like for like."
        )
    missing = sorted(set(picked) - set(table.loc[~table["is_local"], "area"]))
    if missing:
        st.warning(
            f"No complete 12 months in this period for {', '.join(missing)}: its rows do "
            "not cover the months exactly, so it is left out rather than estimated."
        )
    title = f"{MEASURES[measure]}: {selection_words(ctx.categories)}"
    chart_with_downloads(
        charts.comparison_chart(table, measure, title), "comparison chart", key="dl_cmp_chart"
    )
    options = year_end_options(ctx.loaded)
    chosen = st.session_state.get("tr_year_end") or default_year_end(options)
    windows = {"Latest 12 months": f.end}
    if chosen and chosen != f.end:
        windows[f"Year ending {chosen:%b %Y}"] = chosen
    ends = sorted(
        {
            d
            for e in windows.values()
            for d in (e, (pd.Timestamp(e) - pd.DateOffset(months=12)).date())
        }
    )
    around = compare(
        local_totals(monthly, ends, ctx.population.residents, local_name),
        twelve_month_totals(periods, ends),
    )
    cw = compare_windows(around, windows)
    shown = cw[list(SHOWN)].rename(columns=SHOWN)
    table_with_downloads(
        shown,
        "comparison",
        stamp=ctx.stamp(
            "Comparator figures as imported; "
            + "; ".join(
                f"{a}: {s}" for a, s in zip(areas["area"], areas["source_file"], strict=True)
            )
        ),
        key="dl_cmp_table",
        column_config=CONFIG,
    )
    st.caption(
        "A comparator's 12-month figure is shown only where its imported rows cover those "
        "12 months exactly. Rates use the population given for the latest period; the "
        "local rate uses residents. The index is each area's 12-month count as a "
        "percentage of its first year shown."
    )
