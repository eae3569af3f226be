"""The harm view: scheme choice, stored weight edits, and count against harm rankings."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csp_dash import harm
from csp_dash.analysis.periods import comparison_window, missing_months, window
from csp_dash.overview.comparison import window_label
from csp_dash.trends.view import harm_ranking
from csp_dash.ui import auth, charts
from csp_dash.ui.downloads import chart_with_downloads, rows_height, table_with_downloads
from csp_dash.ui.state import engine
from csp_dash.ui.trends.data import TrendContext, clear_weights, harm_weights

RANK_SHOWN = {
    "category": "Category",
    "count": "Count",
    "count_share": "Count share %",
    "count_rank": "Count rank",
    "weight": "Weight",
    "harm": "Harm",
    "harm_share": "Harm share %",
    "harm_rank": "Harm rank",
    "movement": "Places moved on harm",
}
RANK_CONFIG = {
    "Count": st.column_config.NumberColumn(format="localized"),
    "Harm": st.column_config.NumberColumn(format="localized"),
    "Count share %": st.column_config.NumberColumn(format="%.1f"),
    "Harm share %": st.column_config.NumberColumn(format="%.1f"),
    "Weight": st.column_config.NumberColumn(format="%g"),
    "Places moved on harm": st.column_config.NumberColumn(format="%+d"),
}


def scheme_picker(container, url: str) -> tuple[str, pd.Series, list[str]]:
    """The harm scheme chosen (kept in the URL) and its weights in force, with edits."""
    scheme = container.selectbox(
        "Harm weights",
        list(harm.SCHEMES),
        format_func=harm.SCHEMES.get,
        key="harm_scheme",
        bind="query-params",
        help="Used by the harm-weighted measure and the harm tab",
    )
    weights, edited = harm_weights(url, scheme)
    return scheme, weights, edited


def harm_note(scheme: str, edited: list[str]) -> str:
    """A short line naming the weights behind harm figures (the full list goes on exports)."""
    note = f" (edited: {', '.join(edited)})" if edited else ""
    return f"Harm weights: {harm.SCHEMES[scheme]}{note}"


def harm_tab(ctx: TrendContext, scheme: str, weights: pd.Series, edited: list[str]) -> None:
    current = window(ctx.f.end, ctx.f.length)
    previous, _ = comparison_window(current)
    comparable = not missing_months([current, previous], ctx.loaded)
    now = harm_ranking(ctx.counts, weights, current, ctx.categories)
    before = harm_ranking(ctx.counts, weights, previous, ctx.categories)
    cols = st.columns(3)
    total, prior = float(now["harm"].sum()), float(before["harm"].sum())
    cols[0].metric(
        f"Harm, {window_label(current)}",
        f"{total:,.0f}",
        delta=f"{(total - prior) / prior * 100:+.1f}%" if prior and comparable else None,
        delta_color="inverse",
        border=True,
        help=f"Σ count × weight over {window_label(current)}; the change is against "
        f"{window_label(previous)} (no significance test: weights break the "
        "Poisson assumption)" + ("" if comparable else "; not shown, as some months of the two "
                                  "periods have no data loaded"),
    )
    rate = total / ctx.population.residents * 1000 if ctx.population.residents else None
    cols[1].metric(
        "Harm per 1,000 residents",
        "n/a" if rate is None else f"{rate:,.0f}",
        border=True,
        help=ctx.population.note,
    )
    cols[2].metric(
        "Categories that move up on harm",
        f"{int((now['movement'] > 0).sum())}",
        border=True,
        help="Ranked higher by harm than by count",
    )
    if len(now):
        top_count = now.sort_values(["count_rank", "category"]).iloc[0]["category"]
        st.markdown(
            f"Highest by count: **{top_count}**. Highest by harm: **{now.iloc[0]['category']}**."
        )
    stamp = harm.weights_stamp(scheme, weights, edited)
    chart_with_downloads(
        charts.harm_rank_chart(now, harm_note(scheme, edited)), "harm ranking", key="dl_harm_chart"
    )
    st.caption(
        f"{window_label(current)}, {ctx.place}. The two schemes rank priorities "
        "differently: compare them with the 'Harm weights' choice above."
    )
    shown = now.assign(harm=now["harm"].round()).rename(columns=RANK_SHOWN)
    table_with_downloads(
        now,
        "harm ranking",
        stamp=ctx.stamp(stamp),
        key="dl_harm_table",
        shown=shown,
        column_config=RANK_CONFIG,
        height=rows_height(len(now)),
    )
    weights_editor(scheme, weights, edited)
    with st.expander("Where the default weights come from"):
        ref = harm.reference_table()
        table_with_downloads(ref, "harm weight sources", key="dl_harm_sources")


def weights_editor(scheme: str, weights: pd.Series, edited: list[str]) -> None:
    """Edit the weights for a scheme in a table; saved edits are stored, reset restores them."""
    if not auth.allowed("edit_weights"):  # others see the weights in use, not the editor
        return
    with st.expander(f"Edit the weights: {harm.SCHEMES[scheme]}", icon=":material/tune:"):
        defaults = harm.default_weights(scheme)
        df = pd.DataFrame(
            {
                "category": weights.index,
                "default": defaults.reindex(weights.index),
                "weight": weights.to_numpy(),
            }
        )
        new = st.data_editor(
            df,
            hide_index=True,
            disabled=["category", "default"],
            key=f"harm_editor_{scheme}",
            width="stretch",
            column_config={
                "category": st.column_config.TextColumn("Category"),
                "default": st.column_config.NumberColumn("Default", format="%g"),
                "weight": st.column_config.NumberColumn(
                    "Weight in use", min_value=0.0, format="%g", required=True
                ),
            },
        )
        st.caption(
            "Anti-social behaviour has no published weight: 0 leaves it out of harm. "
            + (f"Edited: {', '.join(edited)}." if edited else "No edits stored.")
        )
        c1, c2 = st.columns(2)
        if c1.button("Save weights", key="harm_save", icon=":material/save:"):
            try:
                harm.set_weights(
                    engine(), scheme, dict(zip(new["category"], new["weight"], strict=True))
                )
            except ValueError as exc:
                st.error(str(exc))
                return
            auth.record("weights", f"{scheme}: saved {len(new)} weights")
            clear_weights()
            st.rerun()
        if c2.button(
            "Reset to default", key="harm_reset", icon=":material/restart_alt:", disabled=not edited
        ):
            harm.reset_weights(engine(), scheme)
            auth.record("weights", f"{scheme}: reset to the defaults")
            clear_weights()
            st.rerun()
