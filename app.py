"""CSP Dash entry point: routing only. Logic lives in csp_dash/.

Pages live in app_pages/, not pages/: Streamlit would also serve a pages/ folder as legacy
pages, and a deep link such as /data would then bypass this router and its shared filters.
The page list comes from the visitor's role, decided on the server (csp_dash/ui/auth.py).
?present=1 is meeting mode (csp_dash/ui/meeting/): a request for a layout, never a grant.
"""

import streamlit as st

from csp_dash.ui.auth import account_box, current_role
from csp_dash.ui.filters import router_filters
from csp_dash.ui.meeting import mode as meeting
from csp_dash.ui.meeting.presenter import presenter_bar, sidebar_panel
from csp_dash.ui.nav import available_pages
from csp_dash.ui.state import ensure_data, warm_imports

present = st.query_params.get("present") == "1"
st.set_page_config(page_title="CSP Dash", page_icon=":material/shield:", layout="wide",
                   initial_sidebar_state="collapsed" if present else "auto")
meeting.start(present)
ensure_data()
role = current_role()
# A workshop participant's signed link (t=...) shows their scoring page alone. Hiding the menu
# grants nothing: the workshop page checks the token, and the page list follows the role.
participant = bool(st.query_params.get("t"))
if not participant and not present:
    account_box()
if not participant:
    router_filters()  # shared by every page; drawn here so it survives page switches
listed = available_pages(role, token=participant)
pages = [st.Page(str(path), title=title, icon=icon, url_path=url) for path, title, icon, url in listed]
# The root shows the Overview too: a default page answers only at the root, so the Overview
# keeps its own address (/overview) and the root is a hidden second entry for it.
home = next((p for p in listed if p[3] == "overview"), listed[0])
pages.append(st.Page(str(home[0]), title=home[1], icon=home[2], url_path="home", default=True,
                     visibility="hidden"))
nav = st.navigation(pages, position="hidden" if participant or present else "sidebar")
page = nav.url_path or "overview"
urls = [p[3] for p in listed]
if present:
    presenter_bar(page, urls)
elif not participant:
    sidebar_panel(page, nav.title, urls)
nav.run()
warm_imports()  # after the page: a first switch to Crime trends or Hotspots need not import
