"""Downloads of the agreed list: CSV, XLSX and the one-page summary (HTML to print, Markdown)."""

from __future__ import annotations

import streamlit as st

from csp_dash.priorities.workshop.onepage import one_page, one_page_html, one_page_markdown
from csp_dash.priorities.workshop.results import WorkshopResults
from csp_dash.ui.downloads import file_stem, table_downloads
from csp_dash.ui.priorities.yoy import movement_table
from csp_dash.ui.state import engine


def summary_downloads(res: WorkshopResults) -> None:
    """The agreed list and the one-page summary, once the list is recorded."""
    ws = res.workshop
    page = one_page(engine(), res)  # read now: the callables below run outside the script
    if page is None:
        st.caption(
            "The agreed list and the one-page summary appear here once the workshop is "
            "closed with its agreed list."
        )
        return
    table = movement_table(page.moves, ws.year)
    stamp = [f"Agreed community safety priorities {ws.year} (CSP Dash)"]
    st.markdown("**Agreed list**")
    table_downloads(table, f"agreed priorities {ws.year}", stamp=stamp, key="dl_ws_agreed")
    stem = file_stem(f"priorities summary {ws.year}")
    st.markdown("**One-page summary** (open the HTML in a browser and print it, or save as PDF)")
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "HTML",
            data=lambda: one_page_html(page),
            file_name=f"{stem}.html",
            mime="text/html",
            key="dl_ws_html",
            icon=":material/description:",
            on_click="ignore",
            type="tertiary",
        )
        st.download_button(
            "Markdown",
            data=lambda: one_page_markdown(page),
            file_name=f"{stem}.md",
            mime="text/markdown",
            key="dl_ws_md",
            icon=":material/description:",
            on_click="ignore",
            type="tertiary",
        )
