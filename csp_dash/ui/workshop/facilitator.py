"""The facilitator's view: the live results (refreshing every 5 s), closing with the agreed list."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from csp_dash.priorities.agreed import AgreedItem, agreed_list, record_agreed_list
from csp_dash.priorities.workshop.onepage import ranking_with_volume
from csp_dash.priorities.workshop.results import WorkshopResults, ranking_table, summary_display
from csp_dash.priorities.workshop.sessions import Workshop, get_workshop, set_status
from csp_dash.ui import auth
from csp_dash.ui.downloads import table_downloads, table_with_downloads
from csp_dash.ui.priorities.data import results
from csp_dash.ui.priorities.views import TABLE_COLUMNS, formula, matrix_section
from csp_dash.ui.state import db_url, engine
from csp_dash.ui.text import md
from csp_dash.ui.workshop import room
from csp_dash.ui.workshop.links import participant_link, qr_png
from csp_dash.ui.workshop.setup import choose_workshop

REFRESH = "5s"
NAMES_STAMP = "Contains partners' names and comments: for the partnership only, not for publication"


def header(ws: Workshop) -> None:
    st.title(md(ws.title))
    status = "open: partners can score" if ws.is_open else f"closed {ws.closed_at:%d %b %Y %H:%M}"
    st.caption(f"Year {ws.year} · opened {ws.opened_at:%d %b %Y %H:%M} · {status}")
    if ws.evidence_note:
        st.caption(f"Evidence frozen at opening: {md(ws.evidence_note)}")
    if ws.is_open:
        participant_panel(ws.workshop_id)
    c1, c2, c3 = st.columns(3)
    if c1.button("All workshops", key="wf_back", icon=":material/arrow_back:", type="tertiary"):
        choose_workshop(None)
    with c3:
        room.enter_button()
    if not ws.is_open and c2.button(
        "Reopen for scoring", key="wf_reopen", icon=":material/lock_open:", type="tertiary"
    ):
        auth.require("run_workshop")
        set_status(engine(), ws.workshop_id, "open")
        auth.record("workshop", f"reopened {ws.workshop_id}")
        st.rerun()


def participant_panel(workshop_id: str) -> None:
    """The signed participant link and its QR code, for the room's screen."""
    link, why = participant_link(workshop_id)
    if link is None:
        st.warning(why, icon=":material/link_off:")
        return
    c1, c2 = st.columns([3, 1])
    c1.markdown(
        "**Participant link**: show the QR code on screen or share the link by email; "
        "partners open it on a laptop or phone. It lets them score this workshop only, until "
        "it closes or the link expires."
    )
    c1.code(link, language=None)
    c2.image(qr_png(link), caption="Scan to score", width=180)


def _disagreement(res: WorkshopResults, ws: Workshop) -> None:
    dis = res.disagreement.head(8)
    if dis.empty:
        st.caption("Disagreement shows once two partners have scored the same candidate.")
        return
    table = pd.DataFrame(
        {
            "Candidate priority": dis["name"],
            "Dimension": dis["dimension_label"],
            "Partners": dis["n"],
            "Median": dis["median"],
            "IQR": dis["iqr"],
            "Lowest": dis["min"],
            "Highest": dis["max"],
        }
    )
    stamp = [f"{ws.title} ({ws.year}): workshop results (CSP Dash)"]
    table_with_downloads(table, f"{ws.title} where partners disagree", stamp=stamp,
                         key="dl_wf_disagree")
    top = set(dis["name"].head(3))
    notes = res.comments[res.comments["candidate"].isin(top)]
    if not notes.empty:
        st.markdown("**What partners said about these**")
        # Plain table cells: a comment is never Markdown (no live links, no remote images).
        said = pd.DataFrame({"Candidate priority": notes["candidate"], "Partner": notes["name"],
                             "Organisation": notes["organisation"], "Comment": notes["comment"]})
        table_with_downloads(said, f"{ws.title} what partners said", key="dl_wf_said",
                             stamp=[*stamp, NAMES_STAMP])


def live_results(workshop_id: str) -> None:
    """Draw the live view; refreshes itself every 5 seconds while the workshop is open."""
    ws = get_workshop(engine(), workshop_id)
    if ws is None:
        return
    unit = st.radio(
        "Count",
        ["participant", "organisation"],
        horizontal=True,
        key="wf_unit",
        format_func={
            "participant": "every participant",
            "organisation": "each organisation once (its median)",
        }.get,
    )

    @st.fragment(run_every=REFRESH if ws.is_open else None)
    def _live() -> None:
        res = results(db_url(), workshop_id, unit)
        heads = res.history.drop_duplicates("submission_id")
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("Participants", res.n_participants, border=True)
        c2.metric("Organisations", int(heads["organisation"].nunique()), border=True)
        c3.metric("Submissions", len(heads), border=True)
        c4.metric(
            "Candidates scored",
            f"{int((res.summary['n_scored'] > 0).sum())} of {len(res.summary)}",
            border=True,
        )
        st.caption(
            f"Updated {datetime.now():%H:%M:%S}" + (f", every {REFRESH}" if ws.is_open else "")
        )
        stamp = [f"{ws.title} ({ws.year}): workshop results (CSP Dash)", NAMES_STAMP]
        st.subheader("Live ranking")
        table = ranking_table(res)
        table_with_downloads(table, f"{ws.title} Live ranking", stamp=stamp[:1], key="dl_wf_rank",
                             column_config=TABLE_COLUMNS)
        st.caption(
            "Partners' medians, with the frozen data and the analyst's draft filling the "
            "dimensions partners have not scored ('Taken from the data')."
        )
        st.subheader("Median and spread by candidate")
        spread = summary_display(res)
        table_with_downloads(spread, f"{ws.title} Median and spread", stamp=stamp[:1],
                             key="dl_wf_spread")
        st.subheader("Where partners disagree most")
        _disagreement(res, ws)
        with st.expander("Risk matrix of the live ranking"):
            matrix_section(
                ranking_with_volume(engine(), res), ws.model, f"Risk matrix: {ws.title}", "wf"
            )
        history = res.history.assign(
            candidate=res.history["candidate"].map(res.candidates.set_index("candidate_id")["name"])
        ).drop(columns=["participant"])
        # Not shown on screen (a table per submission): its buttons only.
        c1, c2 = st.columns([2, 3], vertical_alignment="center")
        c1.caption("Every submission (names, scores, comments, times)")
        with c2:
            table_downloads(history, f"{ws.title} Every submission", stamp=stamp, key="dl_wf_hist")

    _live()
    formula(ws.model)


def close_form(ws: Workshop, res: WorkshopResults) -> None:
    """Record the agreed list with a rationale per priority, and close the workshop."""
    names = [n for n in res.ranking["name"] if isinstance(n, str)]
    if not ws.is_open:
        agreed = agreed_list(engine(), ws.year)
        st.success(f"Closed. The agreed list for {ws.year} holds {len(agreed)} priorities.")
        table_with_downloads(
            agreed[["rank", "name", "rationale", "priority_score"]].rename(
                columns={
                    "rank": "Rank",
                    "name": "Priority",
                    "rationale": "Rationale",
                    "priority_score": "Live score at closing",
                }
            ),
            f"agreed priorities {ws.year}",
            stamp=[f"{ws.title} ({ws.year}): the agreed list (CSP Dash)"],
            key="dl_wf_agreed",
            column_config={"Live score at closing": st.column_config.NumberColumn(format="%.2f")},
        )
        return
    st.caption(
        "Choose the agreed priorities in rank order (the live ranking fills them in) and "
        "give the reason for each. Saving closes the workshop: partners can no longer "
        "change their scores, and the list is kept for next year's comparison."
    )
    n = st.number_input(
        "How many priorities", 1, max(len(names), 1), min(5, max(len(names), 1)), key="wf_n"
    )
    scores = res.ranking.set_index("name")["priority"] if names else pd.Series(dtype=float)
    with st.form("wf_close"):
        picks, reasons = [], []
        for i in range(int(n)):
            c1, c2 = st.columns([2, 3])
            picks.append(
                c1.selectbox(
                    f"Priority {i + 1}",
                    names,
                    index=min(i, len(names) - 1),
                    key=f"wf_pick_{i}",
                    accept_new_options=True,
                )
            )
            reasons.append(c2.text_area(f"Why priority {i + 1}", key=f"wf_why_{i}", height=68))
        done = st.form_submit_button(
            "Close the workshop and record the agreed list", type="primary", icon=":material/lock:"
        )
    if not done:
        return
    items = [
        AgreedItem(p or "", r, scores.get(p) if p in scores else None)
        for p, r in zip(picks, reasons, strict=True)
    ]
    auth.require("run_workshop")
    try:
        record_agreed_list(
            engine(), ws.year, items, ws.workshop_id, need_rationale=True, close=True
        )
    except ValueError as exc:
        st.error(f"Not saved: {exc}.")
        return
    auth.record("workshop", f"closed {ws.workshop_id} with {len(items)} agreed priorities")
    st.rerun()
