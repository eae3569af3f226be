"""Report: the Strategic Assessment drafted from the live figures; edit, preview, download."""

import streamlit as st

from csp_dash.ui import auth, components
from csp_dash.ui.filters import sidebar_filters
from csp_dash.ui.report import page

f = sidebar_filters()
st.title("Strategic Assessment")
components.demo_banner()
if f is None:
    st.info("Load police.uk data on the Data page to draft the assessment.")
    st.stop()

allowed = page.editions()
c1, c2 = st.columns([2, 3])
edition = c1.segmented_control("Edition", allowed, format_func=page.EDITION_LABELS.get,
                               default=allowed[0], key="rep_edition",
                               bind="query-params") or allowed[0]
user = auth.current_user()
who = c2.text_input("Your name (recorded with narrative edits)",
                    user.name or user.email or "Community safety analyst", key="rep_who")
st.caption(f"The 12 months to {f.end:%B %Y} against the same months a year earlier, whole "
           "area. The period follows the sidebar's period end; area and themes filters do not "
           "apply to the assessment.")
fresh = st.button("Redraft from the latest data", key="rep_fresh")
report = page.get_report(f.url, f.end, edition, who, fresh=fresh)
if edition == "partners":
    st.error("Partners edition: Not for public circulation.", icon=":material/lock:")
page.downloads(f.url, report)
page.preview(f.url, report, who)
