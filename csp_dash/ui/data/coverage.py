"""The coverage grid: one row per force and year, one column per month, gaps flagged in red."""

from __future__ import annotations

import calendar

import pandas as pd
import streamlit as st

from csp_dash.ui import tables
from csp_dash.ui.downloads import table_downloads

MISSING = "MISSING"
GAPS = "Months with no file"


def _long(grid: pd.DataFrame) -> pd.DataFrame:
    """Each force's months from its first to its last file; rows missing where no file."""
    long = grid.rename_axis("month").reset_index().melt(id_vars="month", var_name="force", value_name="rows")
    spans = long.dropna().groupby("force")["month"].agg(["min", "max"])
    long = long.join(spans, on="force")
    long = long[(long["month"] >= long["min"]) & (long["month"] <= long["max"])].copy()
    long["year"] = long["month"].dt.year
    long["mon"] = long["month"].dt.month.map(lambda m: calendar.month_abbr[m])
    return long


def _months(table: pd.DataFrame) -> pd.DataFrame:
    return table.reindex(columns=[m for m in calendar.month_abbr[1:] if m in table.columns])


def coverage_table(grid: pd.DataFrame) -> pd.DataFrame:
    """Reshape months x forces into (force, year) x Jan..Dec; MISSING inside a force's span."""
    long = _long(grid)
    long["cell"] = long["rows"].map(lambda v: MISSING if pd.isna(v) else f"{int(v):,}")
    table = long.pivot_table(index=["force", "year"], columns="mon", values="cell", aggfunc="first")
    return _months(table).fillna("")


def coverage_counts(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid as numbers for the download: rows loaded per month (empty where no file),
    and the months inside a force's span that have no file, in words."""
    long = _long(grid)
    counts = _months(long.set_index(["force", "year", "mon"])["rows"].unstack("mon")).astype("Int64")
    gaps = long[long["rows"].isna()].groupby(["force", "year"])["mon"].agg(", ".join)
    counts[GAPS] = gaps.reindex(counts.index).fillna("")
    return counts.rename_axis(["Force", "Year"]).reset_index().rename_axis(columns=None)


def coverage_grid(grid: pd.DataFrame) -> None:
    if grid.empty:
        st.info("No police.uk files loaded yet.")
        return
    table = coverage_table(grid)

    def style(v):
        return "background-color: #f8d7da; color: #842029; font-weight: 600" if v == MISSING else ""

    tables.dataframe(table.style.map(style), width="stretch")
    # The export holds the counts as numbers (the screen's are formatted text) and names the gaps.
    table_downloads(lambda: coverage_counts(grid), "coverage months by force", key="dl_coverage",
                    stamp=["Rows loaded per police.uk file: force and month (CSP Dash)"])
    st.caption("Rows loaded per force and month. MISSING: no file for a month inside the force's range.")
