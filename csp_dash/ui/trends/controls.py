"""Editors on the trends page: declared events and each theme's improvement direction."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csp_dash import events as events_mod
from csp_dash.analysis.spc import IMPROVEMENTS
from csp_dash.trends.queries import DEFAULT_IMPROVEMENT, set_directions
from csp_dash.trends.view import month_index
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.state import engine
from csp_dash.ui.trends.data import TrendContext, clear_directions, clear_events, directions

DIRECTION_WORDS = {
    "down": "down (lower is better)",
    "up": "up (higher is better)",
    "neutral": "neutral (no direction)",
}


def events_editor(ctx: TrendContext) -> None:
    """List, add and delete declared events for the selected themes and categories."""
    with st.expander(f"Declared events ({len(ctx.events)})", icon=":material/flag:"):
        st.caption(
            "Recording changes, rebases and notes, stored for every page. They are marked "
            "on the charts. The SPC starts new limits at recording changes and rebases "
            "only when 'Rebase at declared events' is ticked."
        )
        if ctx.events.empty:
            st.caption("No events declared for these themes and categories.")
        else:
            shown = ctx.events.assign(month=ctx.events["month"].dt.strftime("%Y-%m"))
            table_with_downloads(shown, "declared events", stamp=ctx.stamp(), key="dl_events")
        _add_event_form(ctx)
        if not ctx.events.empty:
            _delete_event(ctx)


def _add_event_form(ctx: TrendContext) -> None:
    if not ctx.loaded:
        return
    months = [m.date() for m in month_index(min(ctx.loaded), max(ctx.loaded))][::-1]
    scopes = ["all", *ctx.selected_themes, *ctx.categories]
    with st.form("ev_add", clear_on_submit=True, border=False):
        c1, c2, c3, c4 = st.columns([1, 3, 2, 2])
        month = c1.selectbox("Month", months, format_func=lambda m: f"{m:%b %Y}", key="ev_month")
        label = c2.text_input(
            "What happened", key="ev_label", placeholder="e.g. Crime recording audit"
        )
        scope = c3.selectbox(
            "Applies to",
            scopes,
            key="ev_scope",
            format_func=lambda s: "Every theme" if s == "all" else s,
        )
        kind = c4.selectbox("Kind", events_mod.KINDS, key="ev_kind")
        if st.form_submit_button("Add event", icon=":material/add:"):
            try:
                events_mod.add_event(engine(), month, label, scope=scope, kind=kind)
            except ValueError as exc:
                st.error(str(exc))
                return
            clear_events()
            st.rerun()


def _delete_event(ctx: TrendContext) -> None:
    labels = {
        int(r.event_id): f"{r.month:%b %Y}: {r.label} ({r.scope}, {r.kind})"
        for r in ctx.events.itertuples()
    }
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    pick = c1.selectbox("Delete an event", list(labels), format_func=labels.get, key="ev_delete")
    if c2.button("Delete", key="ev_delete_btn", icon=":material/delete:"):
        events_mod.delete_event(engine(), int(pick))
        clear_events()
        st.rerun()


def directions_editor(ctx: TrendContext) -> None:
    """Edit and store which way is better for each theme (colours the SPC points)."""
    stored = directions(ctx.f.url)
    themes = list(dict.fromkeys(ctx.themes["theme"]))
    with st.expander("Improvement direction by theme", icon=":material/swap_vert:"):
        st.caption(
            "Most crime improves downward. Set 'up' where a rise is good news (for "
            "example more reports of an under-reported crime), or 'neutral'."
        )
        df = pd.DataFrame(
            {"theme": themes, "improvement": [stored.get(t, DEFAULT_IMPROVEMENT) for t in themes]}
        )
        edited = st.data_editor(
            df,
            hide_index=True,
            disabled=["theme"],
            key="dir_editor",
            width="stretch",
            column_config={
                "theme": st.column_config.TextColumn("Theme"),
                "improvement": st.column_config.SelectboxColumn(
                    "Improvement direction",
                    options=list(IMPROVEMENTS),
                    required=True,
                    help=", ".join(DIRECTION_WORDS.values()),
                ),
            },
        )
        if st.button("Save directions", key="dir_save", icon=":material/save:"):
            set_directions(engine(), dict(zip(edited["theme"], edited["improvement"], strict=True)))
            clear_directions()
            st.rerun()
