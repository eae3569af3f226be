"""The participant's view: name and organisation, then scores for each candidate, one at a time.

Built for phones: one candidate per screen, big radio buttons, the evidence above the
questions. Each submission gets its id (uuid4) when the form is drawn and keeps it until it
is stored, so pressing Submit again after a failure cannot store it twice.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csp_dash.analysis.scoring import DIMENSION_LABELS, DIMENSIONS, HARM_DIMENSIONS
from csp_dash.analysis.workshop import latest_submissions
from csp_dash.priorities.agreed import agreed_list
from csp_dash.priorities.workshop.sessions import (
    DIMENSION_HELP,
    Workshop,
    candidates_of,
    get_workshop,
    proposals_of,
)
from csp_dash.priorities.workshop.submissions import (
    Submission,
    SubmissionRefused,
    new_submission_id,
    participant_key,
    submissions,
    submit,
)
from csp_dash.ui import tables
from csp_dash.ui.state import db_url, engine, get_engine
from csp_dash.ui.text import md

ORGANISATIONS = [
    "Council",
    "Police",
    "Fire and rescue",
    "Probation",
    "Health (ICB)",
    "Housing provider",
    "Police and Crime Commissioner",
    "Voluntary sector",
    "Education",
    "Youth offending service",
]


@st.cache_data(ttl=300, show_spinner=False)
def _frozen(url: str, workshop_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidates and evidence never change after a workshop opens: cache them."""
    engine_ = get_engine(url)
    return candidates_of(engine_, workshop_id), proposals_of(engine_, workshop_id)


def _identity() -> tuple[str, str] | None:
    who = st.session_state.get("wp_who")
    if who:
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.caption(f"Scoring as **{md(who[0])}**, {md(who[1])}")
        if c2.button("Change", key="wp_change", type="tertiary"):
            st.session_state.pop("wp_who")
            st.rerun()
        return who
    with st.form("wp_id_form"):
        st.markdown(
            "**Who is scoring?** Your name and organisation are stored with your scores "
            "so the facilitator can follow up comments."
        )
        name = st.text_input("Your name", key="wp_name", max_chars=120)
        org = st.selectbox(
            "Organisation",
            ORGANISATIONS,
            index=None,
            key="wp_org",
            accept_new_options=True,
            placeholder="Choose or type your organisation",
        )
        if st.form_submit_button("Start scoring", type="primary"):
            if not (name or "").strip() or not (org or "").strip():
                st.error("Enter your name and organisation.")
                return None
            st.session_state["wp_who"] = (" ".join(name.split()), " ".join(org.split()))
            st.rerun()
    return None


def _evidence(props: pd.DataFrame, cid: str, ws: Workshop) -> None:
    mine = props[props["candidate_id"] == cid]
    # Only the data's evidence: the analyst's draft scores would anchor partners' judgement.
    shown = mine[mine["evidence"].notna() & ~mine["evidence"].str.startswith("analyst", na=False)]
    if shown.empty:
        st.caption("No data linked to this candidate: score it from your own knowledge.")
        return
    shown = shown.assign(order=shown["dimension"].map(DIMENSIONS.index)).sort_values("order")
    harm_rows = shown[shown["dimension"].isin(HARM_DIMENSIONS)]
    one_harm = harm_rows[["score", "evidence"]].drop_duplicates().shape[0] == 1
    lines = []
    for r in shown.itertuples(index=False):
        label = DIMENSION_LABELS[r.dimension]
        if one_harm and r.dimension in HARM_DIMENSIONS:
            if r.dimension != harm_rows["dimension"].iloc[0]:
                continue
            label = "Harm (harm-weighted count)"
        score = "" if pd.isna(r.score) else f" **{r.score:.2f}".rstrip("0").rstrip(".") + "** ·"
        lines.append(f"- {label}:{score} {md(r.evidence)}")
    with st.container(border=True):
        st.markdown("**What the data says**\n" + "\n".join(lines))


def _form(ws: Workshop, who: tuple[str, str], cid: str, name: str, previous: pd.DataFrame) -> None:
    prev = previous[previous["candidate"] == cid]
    before = dict(zip(prev["dimension"], prev["score"], strict=True))
    comment_before = next((c for c in prev["comment"] if isinstance(c, str)), "")
    with st.form(f"wp_form_{cid}"):
        chosen = {}
        for dim in ws.dimensions:
            lo, hi = ws.model.scale(dim)
            levels = list(range(int(lo), int(hi) + 1))
            old = before.get(dim)
            index = levels.index(int(old)) if old is not None and not pd.isna(old) else None
            chosen[dim] = st.radio(
                DIMENSION_LABELS[dim],
                levels,
                index=index,
                horizontal=True,
                key=f"wp_{cid}_{dim}",
                help=DIMENSION_HELP[dim],
            )
        comment = st.text_area(
            "Comment (optional)", value=comment_before, key=f"wp_c_{cid}", max_chars=2000
        )
        sent = st.form_submit_button(f"Submit my scores for {name}", type="primary")
    if not sent:
        return
    sid = st.session_state.setdefault("wp_sub_id", new_submission_id())
    sub = Submission(ws.workshop_id, who[0], who[1], cid, chosen, comment, submission_id=sid)
    try:
        submit(engine(), sub)
    except SubmissionRefused as exc:
        st.error(f"Not stored: {exc}.")
        return
    st.session_state["wp_sub_id"] = new_submission_id()
    st.session_state["wp_saved"] = name
    st.session_state["wp_advance"] = True
    st.rerun()


def participant_view(workshop_id: str | None) -> None:
    """Everything a participant sees on the workshop link."""
    ws = get_workshop(engine(), workshop_id)
    if ws is None:
        st.title("Workshop")
        st.error("This workshop link is not valid. Ask the facilitator for the link again.")
        return
    st.title(ws.title)
    if not ws.is_open:
        st.info("This workshop has closed. Thank you for taking part.")
        agreed = agreed_list(engine(), ws.year)
        if not agreed.empty:
            st.markdown(f"**The agreed priorities for {ws.year}**")
            tables.dataframe(
                agreed[["rank", "name", "rationale"]].rename(
                    columns={"rank": "Rank", "name": "Priority", "rationale": "Rationale"}
                ),
                hide_index=True,
                width="stretch",
            )
        return
    who = _identity()
    if who is None:
        return
    cands, props = _frozen(db_url(), ws.workshop_id)
    names = dict(zip(cands["candidate_id"], cands["name"], strict=True))
    mine = submissions(engine(), ws.workshop_id, participant_key(*who))
    previous = latest_submissions(mine) if not mine.empty else mine
    done = set(previous["candidate"])
    st.progress(
        len(done) / max(len(names), 1),
        text=f"You have scored {len(done)} of {len(names)} candidate priorities",
    )
    if st.session_state.pop("wp_saved", None):
        st.success("Stored. You can change your scores at any time: your latest ones count.")
    order = list(names)
    if st.session_state.pop("wp_advance", False) or st.session_state.get("wp_cand") not in order:
        st.session_state["wp_cand"] = next((c for c in order if c not in done), order[0])
    cid = st.selectbox(
        "Candidate priority",
        order,
        key="wp_cand",
        format_func=lambda c: ("✓ " if c in done else "") + names[c],
    )
    _evidence(props, cid, ws)
    _form(ws, who, cid, names[cid], previous)
