"""Crime series: near-repeat analysis of burglary and vehicle crime from a partner extract."""

import streamlit as st

from csp_dash.ui import components
from csp_dash.ui.horizon.crime_series import crime_series_page
from csp_dash.ui.state import db_url

st.title("Crime series")
components.demo_banner()
crime_series_page(db_url())
