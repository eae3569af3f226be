"""The facilitator's live view: partners' medians, spread, disagreement and the live ranking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd
from sqlalchemy import Engine

from csp_dash.analysis.scoring import DIMENSION_LABELS
from csp_dash.analysis.workshop import aggregate, disagreement, latest_submissions, live_ranking
from csp_dash.priorities.workshop.sessions import (
    Workshop,
    candidates_of,
    data_scores_of,
    get_workshop,
)
from csp_dash.priorities.workshop.submissions import submissions


@dataclass(frozen=True)
class WorkshopResults:
    workshop: Workshop
    candidates: pd.DataFrame  # candidate_id, name, link
    history: pd.DataFrame  # every stored row, oldest first
    aggregate: pd.DataFrame  # analysis.workshop.aggregate, plus name
    summary: pd.DataFrame  # one row per candidate: n scored, median and IQR per dimension
    disagreement: pd.DataFrame  # candidate x dimension, most disagreement first, plus name
    ranking: pd.DataFrame  # live ranking, best first, plus name and n scored
    comments: pd.DataFrame  # the comments on each participant's latest submissions
    n_participants: int


def _names(candidates: pd.DataFrame) -> pd.Series:
    return candidates.set_index("candidate_id")["name"]


def summary_table(
    agg: pd.DataFrame, latest: pd.DataFrame, candidates: pd.DataFrame, dims: tuple[str, ...]
) -> pd.DataFrame:
    """Per candidate (workshop order): name, n scored, and per dimension median and IQR."""
    scored = latest.dropna(subset=["score"]).groupby("candidate")["participant"].nunique()
    out = candidates.loc[:, ["candidate_id", "name"]].copy()
    out["n_scored"] = out["candidate_id"].map(scored).fillna(0).astype("int64")
    for dim in dims:
        part = agg[agg["dimension"] == dim].set_index("candidate")
        out[f"{dim}_median"] = out["candidate_id"].map(part["median"]).astype(float)
        out[f"{dim}_iqr"] = out["candidate_id"].map(part["iqr"]).astype(float)
    return out.set_index("candidate_id")


def _latest_comments(history: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    cols = ["candidate", "name", "organisation", "comment", "submitted_at"]
    if history.empty:
        return pd.DataFrame(columns=cols)
    heads = history.drop_duplicates("submission_id")
    last = heads.groupby(["participant", "candidate"])["submitted_at"].transform("max")
    heads = heads[(heads["submitted_at"] == last) & heads["comment"].notna()]
    out = heads.loc[:, cols].copy()
    out["candidate"] = out["candidate"].map(names)
    return out.sort_values(["candidate", "submitted_at"]).reset_index(drop=True)


def workshop_results(
    engine: Engine, workshop_id: str, unit: Literal["participant", "organisation"] = "participant"
) -> WorkshopResults:
    """Everything the facilitator's view shows, from the stored submissions."""
    ws = get_workshop(engine, workshop_id)
    if ws is None:
        raise ValueError(f"no workshop '{workshop_id}'")
    cands = candidates_of(engine, workshop_id)
    names = _names(cands)
    history = submissions(engine, workshop_id)
    latest = latest_submissions(history)
    agg = aggregate(history, unit=unit)
    agg = agg[agg["dimension"].isin(ws.dimensions)].reset_index(drop=True)
    summary = summary_table(agg, latest, cands, ws.dimensions)
    dis = disagreement(agg)
    dis.insert(0, "name", dis["candidate"].map(names))
    dis["dimension_label"] = dis["dimension"].map(DIMENSION_LABELS)
    ranking = live_ranking(agg, data_scores_of(engine, workshop_id), ws.model)
    missing = names.index.difference(ranking.index)
    if len(missing):
        ranking = pd.concat([ranking, pd.DataFrame(index=pd.Index(missing, name="candidate"))])
    ranking = ranking.loc[[c for c in ranking.index if c in names.index]]
    ranking.insert(0, "n_scored", summary["n_scored"].reindex(ranking.index).to_numpy())
    ranking.insert(0, "name", names.reindex(ranking.index).to_numpy())
    agg.insert(1, "name", agg["candidate"].map(names))
    return WorkshopResults(
        ws,
        cands,
        history,
        agg,
        summary,
        dis,
        ranking,
        _latest_comments(history, names),
        int(history["participant"].nunique()) if not history.empty else 0,
    )


def ranking_table(results: WorkshopResults) -> pd.DataFrame:
    """The live ranking with headings in words (screens and exports)."""
    r = results.ranking.reset_index(drop=True)
    cols = {
        "rank": "Rank",
        "name": "Candidate priority",
        "n_scored": "Partners scored",
        "priority": "Priority score (0-1)",
        "risk": "Risk",
        "harm": "Harm",
        "likelihood": "Likelihood",
        "concern": "Public concern",
        "position": "Position",
        "confidence": "Confidence",
        "from_data": "Taken from the data",
        "missing": "Not scored",
    }
    return r.loc[:, [c for c in cols if c in r]].rename(columns=cols)


def summary_display(results: WorkshopResults) -> pd.DataFrame:
    """Per candidate: partners scored and "median (IQR)" per dimension, as text for the room."""
    s = results.summary
    out = pd.DataFrame({"Candidate priority": s["name"], "Partners scored": s["n_scored"]})
    for dim in results.workshop.dimensions:
        med, iqr = s[f"{dim}_median"], s[f"{dim}_iqr"]
        out[DIMENSION_LABELS[dim]] = [
            "" if pd.isna(m) else f"{m:g} (IQR {q:g})" for m, q in zip(med, iqr, strict=True)
        ]
    return out.reset_index(drop=True)
