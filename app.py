"""CSP Dash entry point: routing only. Pages live in app_pages/ (not pages/, which Streamlit would also serve as legacy pages), logic in csp_dash/."""

import streamlit as st

from csp_dash.ui.state import ensure_data

st.set_page_config(page_title="CSP Dash", page_icon=":material/shield:", layout="wide")
ensure_data()
nav = st.navigation([
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("app_pages/data.py", title="Data", icon=":material/database:", url_path="data"),
])
nav.run()
