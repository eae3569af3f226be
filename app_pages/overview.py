"""Overview: the period against its comparison period, by theme and category."""

import streamlit as st

from csp_dash.overview.comparison import compare_periods
from csp_dash.ui import cached as data
from csp_dash.ui import components
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.filters import area_label, sidebar_filters
from csp_dash.ui.meeting.mode import presenting
from csp_dash.ui.trends.headlines import headline_list
from csp_dash.vocab import ASB

f = sidebar_filters()
st.title("Overview")
components.demo_banner()
if f is None:
    st.info("Load police.uk data on the Data page to see the overview.")
    st.stop()

counts = data.cube_counts(f.url, f.layer, ("month", "category"), f.areas_in)
themes = data.theme_table(f.url)
# One comparison per run: the tiles, tables and headlines below all read it.
cmp = compare_periods(counts, themes, f.end, data.loaded_months(f.url), f.length, f.categories)
st.markdown(f"**{cmp.current_label}** against **{cmp.previous_label}** ({cmp.previous_what}), "
            f"{area_label(f)}. A change is *significant* where the Poisson z exceeds 2 in size.")
components.district_note(f.url, cmp.current[0], cmp.current[1])
headline_list(f, cmp, themes)
if cmp.missing_months:
    st.warning(components.gap_warning(cmp.missing_months))
if presenting():  # a meeting slide shows the headlines; the tiles and tables stay on the page
    st.stop()

cols = st.columns(2)
components.change_tile(cols[0], cmp.crime_label, cmp.all_crime, cmp.comparable, cmp.previous_label)
if ASB in set(cmp.categories["category"]):
    components.change_tile(cols[1], "Anti-social behaviour (incidents)", cmp.asb, cmp.comparable,
                           cmp.previous_label)
theme_rows = cmp.themes.set_index("theme")
tcols = st.columns(min(len(theme_rows), 5) or 1)
for i, (name, row) in enumerate(theme_rows.iterrows()):
    components.change_tile(tcols[i % len(tcols)], name, row, cmp.comparable, cmp.previous_label)

stamp = [f"CSP Dash overview: {area_label(f)}; {cmp.current_label} against {cmp.previous_label}",
         "Source: police.uk street-level crime (Open Government Licence v3.0)"]
st.subheader("By theme")
table_with_downloads(components.change_table(cmp.themes, "theme", cmp.current_label,
                                             cmp.previous_label),
                     "overview by theme", stamp=stamp, key="dl_ov_themes",
                     column_config=components.CHANGE_COLUMNS)
st.subheader("By category")
cats = cmp.categories.sort_values(["theme", "category"])
table_with_downloads(components.change_table(cats, "category", cmp.current_label,
                                             cmp.previous_label),
                     "overview by category", stamp=stamp, key="dl_ov_categories",
                     column_config=components.CHANGE_COLUMNS)
