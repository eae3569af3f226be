"""Which database the app shows: the synthetic demo, or the partnership's own data."""

from __future__ import annotations

import streamlit as st

from csp_dash import config
from csp_dash.ui.state import db_url


def _switch(choice: str) -> None:
    config.set_active_choice(choice)
    st.cache_data.clear()
    for key in list(st.session_state):
        if key.startswith("f_") or key.startswith("_filters") or key == "_data_checked":
            del st.session_state[key]


def database_switch() -> None:
    """Say which database is shown; start your own (empty) one, or go back to the demo."""
    url = db_url()
    if config.explicit_db_url():
        st.caption(f"Database set by the deployment: `{url}`.")
        return
    if url == config.DEMO_DB_URL:
        st.info("You are looking at the **synthetic demo** district. Real files are never loaded "
                "into it: start your own database (empty) to load your partnership's data. You "
                "can come back to the demo at any time.", icon=":material/science:")
        if st.button("Start with my own data", type="primary", key="db_own"):
            _switch(config.OWN)
            st.rerun()
    else:
        st.caption(f"Your own data: `{url}`.")
        if st.button("Back to the synthetic demo", key="db_demo"):
            _switch(config.DEMO)
            st.rerun()
