"""CSP Dash entry point: routing only. Logic lives in csp_dash/.

Pages live in app_pages/, not pages/: Streamlit would also serve a pages/ folder as legacy
pages, and a deep link such as /data would then bypass this router and its shared filters.
"""

from pathlib import Path

import streamlit as st

from csp_dash.ui.state import ensure_data

HERE = Path(__file__).parent
# (file, title, icon, url path); a page appears once its file exists.
PAGES = [
    ("overview.py", "Overview", ":material/dashboard:", "overview"),
    ("trends.py", "Crime trends", ":material/trending_up:", "trends"),
    ("hotspots.py", "Estate hotspots", ":material/map:", "hotspots"),
    ("domestic_abuse.py", "Domestic abuse", ":material/shield_person:", "domestic-abuse"),
    ("priorities.py", "Priorities", ":material/format_list_numbered:", "priorities"),
    ("workshop.py", "Workshop", ":material/groups:", "workshop"),
    ("data.py", "Data", ":material/database:", "data"),
]

st.set_page_config(page_title="CSP Dash", page_icon=":material/shield:", layout="wide")
ensure_data()
nav = st.navigation([
    st.Page(str(HERE / "app_pages" / f), title=t, icon=i, url_path=u, default=(u == "overview"))
    for f, t, i, u in PAGES if (HERE / "app_pages" / f).exists()
])
nav.run()
