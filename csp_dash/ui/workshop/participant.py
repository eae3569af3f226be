"""The participant's view: name and organisation, then scores for each candidate, one at a time.

Built for phones: one candidate per screen, tap targets of 48 px, the evidence above the
questions. Every answer (stored, refused, closed, a dimension left blank) appears at the top,
and the page scrolls there, so the participant sees it with the next candidate below it.

Each form render has its submission id (uuid4), and its Submit button is keyed by it: a
second tap on the same form sends the same id (stored once, both taps answered "Stored"),
and a tap that arrives after the form was replaced is ignored while "Stored" stays shown.
A dimension left blank is asked about, not stored silently: "Store without them" stores the
rest (a blank dimension then counts as not scored, docs/methods.md).
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
    KNOWN_ORGANISATIONS,
    Submission,
    SubmissionRefused,
    new_submission_id,
    participant_key,
    submissions,
    submit,
)
from csp_dash.ui import tables
from csp_dash.ui.cache import cached
from csp_dash.ui.state import db_url, engine, get_engine
from csp_dash.ui.text import md
from csp_dash.ui.workshop import phone


@cached(ttl=300, show_spinner=False)
def _frozen(url: str, workshop_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidates and evidence never change after a workshop opens: cache them."""
    engine_ = get_engine(url)
    return candidates_of(engine_, workshop_id), proposals_of(engine_, workshop_id)


def _identity() -> tuple[str, str] | None:
    who = st.session_state.get("wp_who") or phone.remembered()
    if who:
        st.session_state["wp_who"] = who
        if st.session_state.get("wp_kept") != who:  # kept for a reload, once per change
            phone.remember(*who)
            st.session_state["wp_kept"] = who
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.caption(f"Scoring as **{md(who[0])}**, {md(who[1])}")
        if c2.button("Change", key="wp_change", type="tertiary"):
            st.session_state.pop("wp_who")
            st.session_state["wp_forget"] = True
            st.rerun()
        return who
    if st.session_state.pop("wp_forget", False):
        phone.forget()
        st.session_state.pop("wp_kept", None)
    with st.form("wp_id_form"):
        st.markdown(
            "**Who is scoring?** Your name and organisation are stored with your scores "
            "so the facilitator can follow up comments."
        )
        name = st.text_input("Your name", key="wp_name", max_chars=120)
        org = st.selectbox(
            "Organisation",
            KNOWN_ORGANISATIONS,
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


def _handle_tap(ws: Workshop, who: tuple[str, str], names: dict[str, str], notice) -> None:
    """Act on a Submit (or "Store without them") before anything is drawn, so one run both
    stores and shows the answer with the next candidate (no second run: docs/architecture.md).

    The form's values are read from the session, where the browser sent them with the tap.
    """
    sid = st.session_state.setdefault("wp_sub_id", new_submission_id())
    cid = st.session_state.get("wp_cand")
    sent = bool(st.session_state.get(f"wp_send_{sid}"))
    confirmed = bool(st.session_state.get(f"wp_partial_{sid}"))
    if cid not in names or not (sent or confirmed):
        return
    chosen = {d: st.session_state.get(f"wp_{cid}_{d}") for d in ws.dimensions}
    comment = st.session_state.get(f"wp_c_{cid}")
    blank = [d for d, v in chosen.items() if v is None]
    st.session_state["wp_scroll"] = True
    if blank and not confirmed and len(blank) < len(chosen):
        st.session_state["wp_partial"] = (cid, blank)  # asked about at the top
        return
    sub = Submission(ws.workshop_id, who[0], who[1], cid, chosen, comment, submission_id=sid)
    try:
        submit(engine(), sub)  # False: this form was stored already (a second tap): same answer
    except SubmissionRefused as exc:
        st.session_state.pop("wp_saved", None)
        notice.error(f"Not stored: {exc}.", icon=":material/error:")
        return
    st.session_state.pop("wp_partial", None)
    st.session_state["wp_saved"] = names[cid]
    st.session_state["wp_advance"] = True
    st.session_state["wp_toast"] = True
    st.session_state["wp_sub_id"] = new_submission_id()  # last: the next form is a new one


def _form(ws: Workshop, cid: str, name: str, previous: pd.DataFrame, notice) -> None:
    prev = previous[previous["candidate"] == cid]
    before = dict(zip(prev["dimension"], prev["score"], strict=True))
    comment_before = next((c for c in prev["comment"] if isinstance(c, str)), "")
    sid = st.session_state["wp_sub_id"]
    with st.form(f"wp_form_{cid}"):
        for dim in ws.dimensions:
            lo, hi = ws.model.scale(dim)
            levels = list(range(int(lo), int(hi) + 1))
            old = before.get(dim)
            index = levels.index(int(old)) if old is not None and not pd.isna(old) else None
            st.radio(
                DIMENSION_LABELS[dim],
                levels,
                index=index,
                horizontal=True,
                key=f"wp_{cid}_{dim}",
                help=DIMENSION_HELP[dim],
            )
        st.text_area(
            "Comment (optional)", value=comment_before, key=f"wp_c_{cid}", max_chars=2000
        )
        # Keyed by this render's submission id: see the module docstring.
        st.form_submit_button(f"Submit my scores for {name}", type="primary", key=f"wp_send_{sid}")
    partial = st.session_state.get("wp_partial")
    if partial and partial[0] == cid:
        blank = ", ".join(DIMENSION_LABELS[d] for d in partial[1])
        notice.warning(
            f"Not stored yet: you have not scored {blank}. Score them below and submit "
            "again, or store your other scores now (the blank ones then count as not scored).",
            icon=":material/help:",
        )
        notice.button("Store without them", key=f"wp_partial_{sid}", type="primary")


def _closed(ws: Workshop) -> None:
    if st.session_state.get("wp_who"):  # was scoring in this session: say what happened
        st.error(
            "Not stored: this workshop has closed, so scores can no longer be sent or "
            "changed. The scores you stored before it closed count.",
            icon=":material/lock:",
        )
        phone.scroll_to_top()
    else:
        st.info("This workshop has closed. Thank you for taking part.")
    agreed = agreed_list(engine(), ws.year)
    if not agreed.empty:
        st.markdown(f"**The agreed priorities for {ws.year}**")
        # No CSV/XLSX buttons on the participant's phone view (docs/architecture.md, "Table
        # exports"): the partnership's copy is on the facilitator's view and the Priorities page.
        tables.dataframe(
            agreed[["rank", "name", "rationale"]].rename(
                columns={"rank": "Rank", "name": "Priority", "rationale": "Rationale"}
            ),
            hide_index=True,
            width="stretch",
        )


def participant_view(workshop_id: str | None) -> None:
    """Everything a participant sees on the workshop link."""
    ws = get_workshop(engine(), workshop_id)
    if ws is None:
        st.title("Workshop")
        st.error("This workshop link is not valid. Ask the facilitator for the link again.")
        return
    phone.tap_targets()
    st.title(md(ws.title))
    if not ws.is_open:
        _closed(ws)
        return
    who = _identity()
    if who is None:
        return
    notice = st.container()  # every answer goes here, at the top, where the phone scrolls
    cands, props = _frozen(db_url(), ws.workshop_id)
    names = dict(zip(cands["candidate_id"], cands["name"], strict=True))
    _handle_tap(ws, who, names, notice)
    mine = submissions(engine(), ws.workshop_id, participant_key(*who))
    previous = latest_submissions(mine) if not mine.empty else mine
    done = set(previous["candidate"])
    order = list(names)
    if st.session_state.pop("wp_advance", False) or st.session_state.get("wp_cand") not in order:
        st.session_state["wp_cand"] = next((c for c in order if c not in done), order[0])
    saved = st.session_state.get("wp_saved")
    partial = st.session_state.get("wp_partial")
    if saved and not (partial and partial[0] == st.session_state["wp_cand"]):
        upcoming = names[st.session_state["wp_cand"]]
        nxt = (f" Next: {md(upcoming)}." if st.session_state["wp_cand"] not in done
               else " You have scored every candidate.")
        # Kept on every redraw until the next Submit, so a second tap also ends on "Stored".
        notice.success(
            f"Stored: your scores for {md(saved)}.{nxt} You can change your scores at any "
            "time: your latest ones count.",
            icon=":material/check_circle:",
        )
    if st.session_state.pop("wp_toast", False):
        st.toast(f"Stored: {md(saved)}", icon=":material/check_circle:")
    if st.session_state.pop("wp_scroll", False):
        phone.scroll_to_top()
    st.progress(
        len(done) / max(len(names), 1),
        text=f"You have scored {len(done)} of {len(names)} candidate priorities",
    )
    cid = st.selectbox(
        "Candidate priority",
        order,
        key="wp_cand",
        format_func=lambda c: ("✓ " if c in done else "") + names[c],
    )
    _evidence(props, cid, ws)
    _form(ws, cid, names[cid], previous, notice)
