"""The Overview's opening headlines: one sentence a line, each linking to its trend view."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from csp_dash.overview.comparison import PeriodComparison
from csp_dash.overview.headlines import items_from, trend_link
from csp_dash.ui.filters import Filters
from csp_dash.ui.meeting.mode import presenting

ICONS = {"increase": "↗", "decrease": "↘", "no significant change": "→"}
ON_A_SLIDE = 5  # headlines a meeting slide has room for, largest first


def _line(sentence: str, url: str, direction: str) -> str:
    """One headline as an HTML list item: escaped text, a link that opens in the same tab
    (Markdown links open a new browser tab)."""
    icon = ICONS.get(direction, "")
    return (f'<li><span aria-hidden="true">{icon}</span> <a href="{html.escape(url)}" '
            f'target="_self">{html.escape(sentence)}</a></li>')


def headline_list(f: Filters, cmp: PeriodComparison, themes: pd.DataFrame) -> list[dict]:
    """Write the headlines from the run's comparison; returns the items shown."""
    items = items_from(cmp, themes)
    lines = []
    for item in items[:ON_A_SLIDE] if presenting() else items:
        url = trend_link(
            item, themes, layer=f.layer, area=f.area, end=f.end, length=f.length
        )
        lines.append(_line(item["sentence"], url, item["direction"]))
    st.html(f'<ul style="margin:0 0 0.5rem 0">{"".join(lines)}</ul>')
    st.caption(
        "Each headline opens its trend view. All crime excludes anti-social behaviour "
        "(the ONS convention); ASB is counted as incidents beside it."
    )
    return items
