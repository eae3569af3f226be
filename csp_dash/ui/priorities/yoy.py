"""Year on year: the agreed list against last year's (new, dropped, up, down), and list import."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csp_dash.ingest.errors import IngestError
from csp_dash.priorities.agreed import agreed_years, import_agreed_list, year_on_year
from csp_dash.ui import auth
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.state import engine

STATUS_ICON = {"new": "new", "dropped": "dropped", "same": "= same"}


def _status(status: str) -> str:
    if status.startswith("up"):
        return f"▲ {status}"
    if status.startswith("down"):
        return f"▼ {status}"
    return STATUS_ICON.get(status, status)


def movement_table(moves: pd.DataFrame, year: int) -> pd.DataFrame:
    """The movement in words, for screens and exports."""
    last = moves.attrs.get("last_year")
    return pd.DataFrame(
        {
            f"Rank {year}": moves["rank"],
            "Priority": moves["candidate"],
            f"Rank {last}" if last else "Last rank": moves["last_rank"],
            "Movement": [_status(s) for s in moves["status"]],
            "Rationale": moves["rationale"],
        }
    )


def yoy_section(year: int | None = None, key: str = "yoy") -> None:
    """Pick a year with an agreed list and show how it moved since the list before it."""
    years = agreed_years(engine())
    if not years:
        st.info(
            "No agreed priority list yet. Close a workshop to record one, or import last "
            "year's list below."
        )
        return
    index = years.index(year) if year in years else 0
    # The key follows the years on record, so a newly recorded list shows at once.
    chosen = st.selectbox(
        "Agreed list for", years, index=index, key=f"{key}_year_{'_'.join(map(str, years))}"
    )
    moves = year_on_year(engine(), chosen)
    last = moves.attrs.get("last_year")
    if last is None:
        st.caption(f"No list before {chosen} to compare with: the {chosen} list as agreed.")
        table = movement_table(moves, chosen).drop(columns=["Last rank", "Movement"])
        table_with_downloads(
            table,
            f"agreed priorities {chosen}",
            key=f"{key}_dl",
            stamp=[f"Agreed priorities {chosen} (CSP Dash)"],
        )
        return
    st.caption(f"The {chosen} list against {last}'s.")
    counts = moves["status"].map(lambda s: s.split(" ")[0]).value_counts()
    cols = st.columns(4)
    for col, (label, status) in zip(
        cols,
        [("New", "new"), ("Moved up", "up"), ("Moved down", "down"), ("Dropped", "dropped")],
        strict=True,
    ):
        col.metric(label, int(counts.get(status, 0)), border=True)
    table = movement_table(moves, chosen)
    stamp = [f"Agreed priorities {chosen} against {last if last else 'no earlier list'} (CSP Dash)"]
    table_with_downloads(table, f"agreed priorities {chosen} year on year", stamp=stamp,
                         key=f"{key}_dl")


def agreed_upload() -> None:
    """Import an agreed list (e.g. last year's) from a CSV."""
    auth.require("upload_data")
    with st.expander("Import an agreed list", icon=":material/upload:"):
        st.caption(
            "A CSV with a 'priority' column in rank order (or a 'rank' column), an "
            "optional 'rationale', and a 'year' column unless you give the year here."
        )
        up = st.file_uploader("Agreed list CSV", type=["csv"], key="ag_file")
        year = st.number_input(
            "Year (leave 0 to use the file's year column)",
            min_value=0,
            max_value=2100,
            value=0,
            step=1,
            key="ag_year",
        )
        if up is None or not st.button("Import the list", key="ag_load"):
            return
        try:
            loaded = import_agreed_list(
                engine(), up.getvalue(), year=int(year) or None, file_name=up.name
            )
        except IngestError as exc:
            st.error(f"Refused: {exc}. Nothing was loaded.")
            return
        st.success("Imported: " + ", ".join(f"{y} ({n} priorities)" for y, n in loaded.items()))
