"""The hotspot page's Deprivation tab: the district's crime by IMD decile, table and chart."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from csp_dash import config
from csp_dash.district.deprivation import crime_by_decile
from csp_dash.ui import charts as _charts  # noqa: F401  the charts' theme, before any spec
from csp_dash.ui.cache import cached
from csp_dash.ui.downloads import chart_with_downloads, table_with_downloads
from csp_dash.ui.state import read_engine

TTL = config.cache_ttl()


@cached(ttl=TTL, show_spinner=False)
def _by_decile(url: str, first: date, last: date, categories: tuple[str, ...]) -> pd.DataFrame:
    return crime_by_decile(read_engine(url), first, last, list(categories))


def chart(table: pd.DataFrame, title: str) -> alt.Chart:
    long = table.melt(id_vars="decile", value_vars=["share_of_crime", "share_of_residents"],
                      var_name="what", value_name="share")
    long["what"] = long["what"].map({"share_of_crime": "Share of crime",
                                     "share_of_residents": "Share of residents"})
    return alt.Chart(long, title=title).mark_bar().encode(
        x=alt.X("decile:O", title="Deprivation decile (1 = most deprived 10% in England)"),
        xOffset="what:N",
        y=alt.Y("share:Q", title="Share", axis=alt.Axis(format="%")),
        color=alt.Color("what:N", title=None,
                        scale=alt.Scale(range=["#1f5f8b", "#c9a227"])),
        tooltip=[alt.Tooltip("decile:O", title="Decile"), alt.Tooltip("what:N", title=" "),
                 alt.Tooltip("share:Q", format=".1%")],
    ).properties(height=320)


def deprivation_section(url: str, first: date, last: date, categories: tuple[str, ...],
                        what: str) -> None:
    table = _by_decile(url, first, last, categories)
    if table["lsoas"].sum() == 0:
        st.info("No deprivation deciles are loaded for the district's LSOAs. Load the English "
                "Indices of Deprivation by LSOA with `csp-dash ingest deprivation FILE`.")
        return
    top = table.iloc[0]
    st.markdown(
        f"**{top['share_of_crime']:.1%} of {what} in the district fell in its LSOAs among the "
        f"most deprived 10% in England (decile 1)**, home to {top['share_of_residents']:.1%} of "
        "its residents.")
    chart_with_downloads(chart(table, f"{what} by deprivation decile"), "crime by deprivation",
                         key="dl_dep_chart")
    shown = table.rename(columns={
        "decile": "Decile", "lsoas": "LSOAs", "residents": "Residents", "count": "Records",
        "share_of_crime": "Share of records", "share_of_residents": "Share of residents",
        "rate": "Rate per 1,000 residents"})
    shown["Residents"] = shown["Residents"].round().astype("int64")
    for col in ("Share of records", "Share of residents"):
        shown[col] = (shown[col] * 100).round(1)
    table_with_downloads(shown, "crime by deprivation decile", key="dl_dep_table",
                         stamp=["English Indices of Deprivation 2019 (MHCLG), by LSOA; "
                                "police.uk street-level crime (Open Government Licence v3.0)"],
                         column_config={
                             "Share of records": st.column_config.NumberColumn(format="%.1f%%"),
                             "Share of residents": st.column_config.NumberColumn(format="%.1f%%"),
                             "Rate per 1,000 residents": st.column_config.NumberColumn(
                                 format="%.1f")})
    if table.attrs.get("no_decile"):
        st.caption(f"{table.attrs['no_decile']} district LSOA(s) have no decile and are left out.")
