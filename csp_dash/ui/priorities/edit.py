"""Editors on the Priorities page: candidates and their data links, the analyst's scores, the model."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csp_dash.analysis.scoring import (
    DIMENSION_LABELS,
    DIMENSIONS,
    HARM_DIMENSIONS,
    ScoringModel,
)
from csp_dash.priorities.candidates import (
    SERIES_KINDS,
    add_issue,
    list_candidates,
    set_active,
    set_link,
)
from csp_dash.priorities.models import reset_model, save_model, set_analyst_scores
from csp_dash.priorities.workshop.sessions import DIMENSION_HELP
from csp_dash.ui import auth
from csp_dash.ui import cached as data
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.priorities.data import datasets
from csp_dash.ui.state import db_url, engine

NO_LINK = "no data link"
USE_DATA = "use the data"


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _series_options() -> dict[str, list[str]]:
    url = db_url()
    themes = data.theme_table(url)
    return {
        "theme": list(dict.fromkeys(themes["theme"])),
        "category": list(themes["category"]),
        "dataset": datasets(url),
    }


def _link_picker(
    prefix: str,
    options: dict[str, list[str]],
    kind_now: str | None = None,
    value_now: str | None = None,
):
    kinds = [NO_LINK, *[k for k in SERIES_KINDS if options[k]]]
    kind = st.selectbox(
        "Measured by",
        kinds,
        key=f"{prefix}_kind",
        index=kinds.index(kind_now) if kind_now in kinds else 0,
        help="The data series that measures this priority: a theme, a police.uk "
        "category or a partner dataset. Linked candidates get data-driven "
        "proposals for volume, trend and harm.",
    )
    if kind == NO_LINK:
        return None, None
    values = options[kind]
    value = st.selectbox(
        f"Which {kind}",
        values,
        key=f"{prefix}_value",
        index=values.index(value_now) if value_now in values else 0,
    )
    return kind, value


def candidates_editor() -> None:
    """List candidates, add a free-text issue, relink, retire or restore."""
    auth.require("edit_priorities")
    cands = list_candidates(engine(), include_retired=True)
    options = _series_options()
    shown = cands.assign(status=cands["active"].map({True: "active", False: "retired"}))
    # Named here, not in column_config, so the download carries the same headers.
    table_with_downloads(
        shown[["name", "kind", "link", "status", "description"]].rename(columns={
            "name": "Candidate priority", "kind": "Kind", "link": "Data series",
            "status": "Status", "description": "Description"}),
        "candidate priorities",
        key="dl_pc_candidates",
    )
    st.caption(
        "One candidate per theme is added automatically. Add issues that cut across "
        "themes, such as county lines, car cruising or modern slavery."
    )
    with st.container(border=True):
        st.markdown("**Add an issue**")
        name = st.text_input("Name", key="pc_name", placeholder="e.g. County lines")
        kind, value = _link_picker("pc_new", options)
        description = st.text_input("Description (optional)", key="pc_desc")
        if st.button("Add candidate", key="pc_add", icon=":material/add:"):
            try:
                add_issue(engine(), name, kind, value, description or None)
            except ValueError as exc:
                st.error(str(exc))
            else:
                st.toast(f"Added '{name.strip()}'")
                st.rerun()
    if cands.empty:
        return
    with st.container(border=True):
        st.markdown("**Change a candidate**")
        labels = dict(zip(cands["candidate_id"], cands["name"], strict=True))
        cid = st.selectbox("Candidate", list(labels), format_func=labels.get, key="pc_pick")
        row = cands.set_index("candidate_id").loc[cid]
        kind, value = _link_picker(f"pc_{cid}", options, row["series_kind"], row["series_value"])
        c1, c2 = st.columns(2)
        if c1.button("Save the data link", key="pc_link", icon=":material/link:"):
            set_link(engine(), cid, kind, value)
            st.rerun()
        retire = bool(row["active"])
        if c2.button(
            "Retire" if retire else "Restore",
            key="pc_active",
            icon=":material/archive:" if retire else ":material/unarchive:",
        ):
            set_active(engine(), cid, not retire)
            st.rerun()


def scores_editor(bundle: dict) -> None:
    """Per candidate: each dimension's proposal with its evidence, and the analyst's override."""
    auth.require("edit_priorities")
    cands, model, props = bundle["candidates"], bundle["model"], bundle["proposals"]
    if cands.empty:
        st.info("No candidates yet.")
        return
    labels = dict(zip(cands["candidate_id"], cands["name"], strict=True))
    cid = st.selectbox("Candidate", list(labels), format_func=labels.get, key="ps_pick")
    mine = bundle["analyst"].reindex([cid]).iloc[0] if cid in bundle["analyst"].index else None
    st.caption(
        "Leave a dimension on *use the data* to take the proposal; set a score to override "
        "it. Dimensions the data cannot propose (position, confidence, and harm for issues "
        "without a data link) need a score from you or from partners at the workshop."
    )
    with st.form(f"ps_form_{cid}"):
        chosen: dict[str, float | None] = {}
        for dim in DIMENSIONS:
            lo, hi = model.scale(dim)
            base = "harm" if dim in HARM_DIMENSIONS else dim
            proposal = props.scores.at[cid, dim] if dim in props.scores else None
            evidence = props.evidence.at[cid, base] if base in props.evidence else None
            levels = [USE_DATA, *range(int(lo), int(hi) + 1)]
            current = None if mine is None or pd.isna(mine.get(dim)) else int(mine[dim])
            c1, c2 = st.columns([2, 3])
            chosen[dim] = c1.selectbox(
                DIMENSION_LABELS[dim],
                levels,
                index=levels.index(current) if current in levels else 0,
                key=f"ps_{cid}_{dim}",
                help=DIMENSION_HELP[dim],
            )
            if proposal is not None and not pd.isna(proposal):
                c2.caption(f"Data proposes **{_num(proposal)}**: {evidence}")
            else:
                c2.caption(f"No proposal from the data{': ' + evidence if evidence else ''}.")
        note = st.text_input("Note on your scores (optional)", key=f"ps_note_{cid}")
        if st.form_submit_button("Save scores", icon=":material/save:"):
            scores = {d: (None if v == USE_DATA else float(v)) for d, v in chosen.items()}
            set_analyst_scores(engine(), cid, scores, model, note=note or None)
            auth.record("scoring_model", f"analyst scores for {labels[cid]}")
            st.toast(f"Saved the scores for {labels[cid]}")
            st.rerun()


def model_editor(model: ScoringModel) -> None:
    """Edit and store the weights, position direction and scales."""
    auth.require("edit_scoring_model")
    st.caption(
        "The model is stored and used by every page and by new workshops (a workshop "
        "keeps the model it opened with)."
    )
    with st.form("pm_form"):
        c1, c2, c3 = st.columns(3)
        w_risk = c1.number_input(
            "Weight on risk", 0.0, 10.0, float(model.w_risk), 0.05, key="pm_wr"
        )
        w_concern = c2.number_input(
            "Weight on public concern", 0.0, 10.0, float(model.w_concern), 0.05, key="pm_wc"
        )
        w_position = c3.number_input(
            "Weight on position", 0.0, 10.0, float(model.w_position), 0.05, key="pm_wp"
        )
        direction = st.radio(
            "Position direction",
            ["can_act", "gap"],
            horizontal=True,
            index=0 if model.position_direction == "can_act" else 1,
            format_func={
                "can_act": "High capacity raises priority (can act)",
                "gap": "Low capacity raises priority (MoRiLE gap)",
            }.get,
            key="pm_dir",
        )
        scales = pd.DataFrame(
            {
                "dimension": [DIMENSION_LABELS[d] for d in DIMENSIONS],
                "lowest": [model.scale(d)[0] for d in DIMENSIONS],
                "highest": [model.scale(d)[1] for d in DIMENSIONS],
            }
        )
        edited = st.data_editor(
            scales, hide_index=True, disabled=["dimension"], key="pm_scales", width="stretch"
        )
        if st.form_submit_button("Save the model", icon=":material/save:"):
            try:
                new = ScoringModel(
                    scales={
                        d: (float(lo), float(hi))
                        for d, lo, hi in zip(
                            DIMENSIONS, edited["lowest"], edited["highest"], strict=True
                        )
                    },
                    w_risk=w_risk,
                    w_concern=w_concern,
                    w_position=w_position,
                    position_direction=direction,
                )
                save_model(engine(), new)
            except (ValueError, TypeError) as exc:
                st.error(f"Not saved: {exc}")
            else:
                auth.record("scoring_model", f"saved: {new}")
                st.toast("Scoring model saved")
                st.rerun()
    if st.button("Reset to the defaults", key="pm_reset", icon=":material/restart_alt:"):
        try:
            reset_model(engine())
        except ValueError as exc:
            st.error(str(exc))
        else:
            auth.record("scoring_model", "reset to the defaults")
            st.rerun()
