"""Workshop page plumbing: the link parameters, opening a workshop, and the list of workshops."""

from __future__ import annotations

from datetime import date

import streamlit as st

from csp_dash import harm
from csp_dash.analysis.scoring import DIMENSION_LABELS, DIMENSIONS
from csp_dash.priorities.agreed import agreed_years
from csp_dash.priorities.workshop.sessions import (
    DEFAULT_PARTNER_DIMENSIONS,
    list_workshops,
    open_workshop,
)
from csp_dash.priorities.workshop.submissions import participants
from csp_dash.ui import auth
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.filters import Filters, area_label
from csp_dash.ui.priorities.data import assessment, snapshot
from csp_dash.ui.priorities.survey import survey_picker
from csp_dash.ui.state import engine
from csp_dash.ui.text import md


def read_params() -> str | None:
    """The workshop id for the facilitator's view (``w``, kept in the session).

    The address bar grants nothing here: the page shows this view only to a role that may run
    workshops, and participants come in with a signed token (ui/workshop/links.py).
    """
    if st.query_params.get("w"):
        st.session_state["ws_id"] = st.query_params["w"]
    return st.session_state.get("ws_id")


def keep_params(workshop_id: str | None) -> None:
    """Put w back in the address bar (the shared filters rewrite it)."""
    if workshop_id and st.query_params.get("w") != workshop_id:
        st.query_params["w"] = workshop_id


def choose_workshop(workshop_id: str | None) -> None:
    """Switch the facilitator's view to a workshop (None: back to the list)."""
    if workshop_id:
        st.session_state["ws_id"] = workshop_id
        st.query_params["w"] = workshop_id
    else:
        st.session_state.pop("ws_id", None)
        st.query_params.pop("w", None)
    st.rerun()


def _default_year() -> int:
    years = agreed_years(engine())
    return years[0] + 1 if years else date.today().year


def open_form(f: Filters) -> None:
    """Open a workshop for a year: freeze candidates, evidence and model, then show it."""
    auth.require("run_workshop")
    st.subheader("Open a workshop")
    st.caption(
        f"The evidence partners see is frozen when the workshop opens: the {f.length} "
        f"months to **{f.end:%b %Y}** (the sidebar's period) for {md(area_label(f))}, with "
        "the analyst's scores and the stored scoring model."
    )
    c1, c2 = st.columns([1, 3])
    year = c1.number_input("Year", 2000, 2100, _default_year(), 1, key="wo_year")
    title = c2.text_input(
        "Title", value=f"Community safety priorities workshop {int(year)}", key="wo_title"
    )
    dims = st.multiselect(
        "Partners score",
        list(DIMENSIONS),
        default=list(DEFAULT_PARTNER_DIMENSIONS),
        format_func=DIMENSION_LABELS.get,
        key="wo_dims",
        help="Volume, trend and public concern come from the data and the "
        "survey; add them if you want partners to score them too.",
    )
    c3, c4 = st.columns(2)
    scheme = c3.selectbox(
        "Harm weights", list(harm.SCHEMES), format_func=harm.SCHEMES.get, key="wo_scheme"
    )
    with c4:
        survey = survey_picker(f.url)
    if st.button("Open the workshop", type="primary", key="wo_open", icon=":material/groups:"):
        bundle = assessment(f.url, f.end, f.layer, f.area, survey, scheme, f.length)
        if bundle["candidates"].empty:
            st.error("There are no candidate priorities: add some on the Priorities page.")
            return
        scores, evidence = snapshot(f.url, bundle)
        try:
            wid = open_workshop(
                engine(),
                int(year),
                title,
                bundle["candidates"],
                scores,
                evidence,
                bundle["model"],
                tuple(dims),
                bundle["proposals"].note,
                volume=bundle["proposals"].facts["current"],
            )
        except ValueError as exc:
            st.error(str(exc))
            return
        auth.record("workshop", f"opened {wid}: {title}")
        choose_workshop(wid)


def workshop_list() -> None:
    """Every workshop, with a way to open its facilitator view."""
    table = list_workshops(engine())
    st.subheader("Workshops")
    if table.empty:
        st.caption("No workshops yet.")
        return
    table["participants"] = [len(participants(engine(), w)) for w in table["workshop_id"]]
    table_with_downloads(
        table.rename(
            columns={
                "workshop_id": "Workshop id",
                "year": "Year",
                "title": "Title",
                "status": "Status",
                "opened_at": "Opened",
                "closed_at": "Closed",
                "participants": "Participants",
            }
        ),
        "workshops",
        key="dl_wo_list",
    )
    labels = {r.workshop_id: f"{r.year}: {r.title} ({r.status})" for r in table.itertuples()}
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    pick = c1.selectbox("Workshop", list(labels), format_func=labels.get, key="wo_pick")
    if c2.button("Open its view", key="wo_go", icon=":material/open_in_new:"):
        choose_workshop(pick)
