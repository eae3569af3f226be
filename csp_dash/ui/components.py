"""Small Streamlit pieces shared by pages: the demo banner, change tiles, change tables."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from csp_dash.ui.state import db_url, demo_label


def demo_banner() -> None:
    label = demo_label(db_url())
    if label:
        st.caption(f":material/science: **{label}**: synthetic demo data, not a real place.")


def district_note(url: str, first, last) -> None:
    """Which district the figures are for, and what it leaves out, for the period shown."""
    from csp_dash.ui.cached import district_coverage
    from csp_dash.ui.meeting.mode import presenting

    if presenting():  # a slide shows its figure; the note is on the page itself
        return
    cov = district_coverage(url, first, last)
    st.caption(f":material/location_on: {cov.sentence} {cov.status_note}")


def _pct(v: float) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.1f}%"


def gap_warning(missing: list) -> str:
    shown = ", ".join(f"{m:%b %Y}" for m in missing[:6]) + (" ..." if len(missing) > 6 else "")
    return (f"No data loaded for {len(missing)} month(s) of the two periods compared ({shown}): "
            "changes are not shown, since a gap would read as a fall.")


def change_tile(col, label: str, row: pd.Series, comparable: bool = True,
                previous_label: str = "the comparison period") -> None:
    """A metric tile: count, % change, and whether the change is significant (Poisson |z| > 2).

    Where the periods have gaps the tile shows the latest count alone: no change is claimed.
    """
    if not comparable:
        col.metric(label, f"{int(row['current']):,}", border=True,
                   help="No comparison, as some months of the two periods have no data loaded")
        return
    sig = "significant" if row["significant"] else "not significant"
    col.metric(label, f"{int(row['current']):,}",
               delta=f"{_pct(row['pct'])}" + (" significant" if row["significant"] else ""),
               delta_color="inverse" if row["significant"] else "off",
               help=(f"{int(row['previous']):,} in {previous_label} "
                     f"({int(row['change']):+,}); Poisson z = {row['z']:.2f}, {sig}"),
               border=True)


def change_table(df: pd.DataFrame, label_col: str, current_label: str,
                 previous_label: str) -> pd.DataFrame:
    """A year-on-year table's columns in words, naming the months each covers. The table
    itself carries a withheld comparison (``analysis.trends.NOT_COMPARABLE``)."""
    out = df[[label_col, "current", "previous", "change", "pct", "z", "direction"]].copy()
    out.columns = [label_col.title(), current_label, previous_label, "Change", "Change %",
                   "Poisson z", "Significance (|z| > 2)"]
    return out


CHANGE_COLUMNS = {
    "Change %": st.column_config.NumberColumn(format="%+.1f%%"),
    "Poisson z": st.column_config.NumberColumn(format="%+.2f"),
    "Change": st.column_config.NumberColumn(format="%+d"),
}
