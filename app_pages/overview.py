"""Overview: the latest 12 months against the previous 12, by theme and category."""

import streamlit as st

from csp_dash.overview import ALL_CRIME, compare_periods, window_label
from csp_dash.ui import components, data
from csp_dash.ui.filters import area_label, sidebar_filters
from csp_dash.ui.trends_data import loaded_months
from csp_dash.ui.trends_headlines import headline_list

f = sidebar_filters()
st.title("Overview")
components.demo_banner()
if f is None:
    st.info("Load police.uk data on the Data page to see the overview.")
    st.stop()

counts = data.cube_counts(f.url, f.layer, ("month", "category"), f.areas_in)
themes = data.theme_table(f.url)
cmp = compare_periods(counts, themes, f.end, loaded_months(f.url))
st.markdown(f"**{window_label(cmp.current)}** against **{window_label(cmp.previous)}**, "
            f"{area_label(f)}. A change is *significant* where the Poisson z exceeds 2 in size.")
headline_list(f, counts, themes)
if cmp.missing_months:
    st.warning(components.gap_warning(cmp.missing_months))

cols = st.columns(2)
components.change_tile(cols[0], ALL_CRIME, cmp.all_crime, cmp.comparable)
components.change_tile(cols[1], "Anti-social behaviour (incidents)", cmp.asb, cmp.comparable)
theme_rows = cmp.themes.set_index("theme")
tcols = st.columns(min(len(theme_rows), 5) or 1)
for i, (name, row) in enumerate(theme_rows.iterrows()):
    components.change_tile(tcols[i % len(tcols)], name, row, cmp.comparable)

shown_themes = cmp.themes[cmp.themes["theme"].isin(f.themes)] if f.themes else cmp.themes
st.subheader("By theme")
st.dataframe(components.change_table(shown_themes, "theme", cmp.comparable), hide_index=True,
             column_config=components.CHANGE_COLUMNS, width="stretch")
st.subheader("By category")
cats = cmp.categories[cmp.categories["category"].isin(f.categories)].sort_values(["theme", "category"])
st.dataframe(components.change_table(cats, "category", cmp.comparable), hide_index=True,
             column_config=components.CHANGE_COLUMNS, width="stretch")
