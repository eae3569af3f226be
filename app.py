"""CSP Dash entry point: routing only. Logic lives in csp_dash/.

Pages live in app_pages/, not pages/: Streamlit would also serve a pages/ folder as legacy
pages, and a deep link such as /data would then bypass this router and its shared filters.
"""

import streamlit as st

from csp_dash.ui.filters import router_filters
from csp_dash.ui.nav import available_pages
from csp_dash.ui.state import ensure_data

st.set_page_config(page_title="CSP Dash", page_icon=":material/shield:", layout="wide")
ensure_data()
# A workshop participant's link shows their scoring page alone, not the analyst's menu.
participant = st.query_params.get("role") == "participant"
if not participant:
    router_filters()  # shared by every page; drawn here so it survives page switches
nav = st.navigation([
    st.Page(str(path), title=title, icon=icon, url_path=url, default=(url == "overview"))
    for path, title, icon, url in available_pages()
], position="hidden" if participant else "sidebar")
nav.run()
