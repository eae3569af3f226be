"""The coverage grid: one row per force and year, one column per month, gaps flagged in red."""

from __future__ import annotations

import calendar

import pandas as pd
import streamlit as st

from csp_dash.ui import tables

MISSING = "MISSING"


def coverage_table(grid: pd.DataFrame) -> pd.DataFrame:
    """Reshape months x forces into (force, year) x Jan..Dec; MISSING inside a force's span."""
    long = grid.rename_axis("month").reset_index().melt(id_vars="month", var_name="force", value_name="rows")
    spans = long.dropna().groupby("force")["month"].agg(["min", "max"])
    long = long.join(spans, on="force")
    long = long[(long["month"] >= long["min"]) & (long["month"] <= long["max"])]
    long["cell"] = long["rows"].map(lambda v: MISSING if pd.isna(v) else f"{int(v):,}")
    long["year"] = long["month"].dt.year
    long["mon"] = long["month"].dt.month.map(lambda m: calendar.month_abbr[m])
    table = long.pivot_table(index=["force", "year"], columns="mon", values="cell", aggfunc="first")
    return table.reindex(columns=[m for m in calendar.month_abbr[1:] if m in table.columns]).fillna("")


def coverage_grid(grid: pd.DataFrame) -> None:
    if grid.empty:
        st.info("No police.uk files loaded yet.")
        return
    table = coverage_table(grid)

    def style(v):
        return "background-color: #f8d7da; color: #842029; font-weight: 600" if v == MISSING else ""

    tables.dataframe(table.style.map(style), width="stretch")
    st.caption("Rows loaded per force and month. MISSING: no file for a month inside the force's range.")
