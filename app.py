"""CSP Dash entry point: routing only. Logic lives in csp_dash/.

Pages live in app_pages/, not pages/: Streamlit would also serve a pages/ folder as legacy
pages, and a deep link such as /data would then bypass this router and its shared filters.
The page list comes from the visitor's role, decided on the server (csp_dash/ui/auth.py).
"""

import streamlit as st

from csp_dash.ui.auth import account_box, current_role
from csp_dash.ui.filters import router_filters
from csp_dash.ui.nav import available_pages
from csp_dash.ui.state import ensure_data

st.set_page_config(page_title="CSP Dash", page_icon=":material/shield:", layout="wide")
ensure_data()
role = current_role()
# A workshop participant's signed link (t=...) shows their scoring page alone. Hiding the menu
# grants nothing: the workshop page checks the token, and the page list follows the role.
participant = bool(st.query_params.get("t"))
if not participant:
    account_box()
    router_filters()  # shared by every page; drawn here so it survives page switches
nav = st.navigation([
    st.Page(str(path), title=title, icon=icon, url_path=url, default=(url == "overview"))
    for path, title, icon, url in available_pages(role, token=participant)
], position="hidden" if participant else "sidebar")
nav.run()
