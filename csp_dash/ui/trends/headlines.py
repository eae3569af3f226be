"""The Overview's opening headlines: one sentence a line, each linking to its trend view."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csp_dash.overview.comparison import PeriodComparison
from csp_dash.overview.headlines import items_from, trend_link
from csp_dash.ui.filters import Filters

ICONS = {
    "increase": ":material/trending_up:",
    "decrease": ":material/trending_down:",
    "no significant change": ":material/trending_flat:",
}


def _escape(text: str) -> str:
    """Keep sentence text literal inside a Markdown link."""
    return text.replace("[", r"\[").replace("]", r"\]").replace("$", r"\$")


def headline_list(f: Filters, cmp: PeriodComparison, themes: pd.DataFrame) -> list[dict]:
    """Write the headlines from the run's comparison; returns the items shown."""
    items = items_from(cmp, themes)
    lines = []
    for item in items:
        url = trend_link(
            item, themes, layer=f.layer, area=f.area, end=f.end, length=f.length
        )
        lines.append(f"- {ICONS.get(item['direction'], '')} [{_escape(item['sentence'])}]({url})")
    st.markdown("\n".join(lines))
    st.caption(
        "Each headline opens its trend view. All crime excludes anti-social behaviour "
        "(the ONS convention); ASB is counted as incidents beside it."
    )
    return items
