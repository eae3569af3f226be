"""The Strategic Risk Assessment table: proposals and the analyst's scores, ranked by the model.

Each dimension's score comes from the analyst where they set one (an override), else from the
data-driven proposal; the table says which, and carries the evidence beside the score.
"""

from __future__ import annotations

import pandas as pd

from csp_dash.analysis.scoring import (
    DIMENSION_LABELS,
    DIMENSIONS,
    HARM_DIMENSIONS,
    ScoringModel,
    score_candidates,
)
from csp_dash.priorities.proposals import Proposals

EVIDENCE_COLUMNS = {
    "volume": "Volume evidence",
    "trend": "Trend evidence",
    "harm": "Harm evidence",
    "concern": "Concern evidence",
}
RESULT_COLUMNS = ["harm", "likelihood", "risk", "concern", "position", "confidence", "priority"]


def working_scores(
    proposals: Proposals | None, analyst: pd.DataFrame | None, candidate_ids: pd.Index
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, source): every dimension per candidate, and "analyst", "data" or "" per cell."""
    idx = pd.Index(candidate_ids, name="candidate_id")
    data = pd.DataFrame(index=idx, columns=list(DIMENSIONS), dtype=float)
    if proposals is not None:
        cols = [d for d in DIMENSIONS if d in proposals.scores]
        data[cols] = proposals.scores.reindex(idx)[cols].astype(float)
    mine = (
        analyst.reindex(index=idx, columns=list(DIMENSIONS)).astype(float)
        if analyst is not None
        else pd.DataFrame(index=idx, columns=list(DIMENSIONS), dtype=float)
    )
    scores = mine.combine_first(data).reindex(columns=list(DIMENSIONS))
    source = pd.DataFrame("", index=idx, columns=list(DIMENSIONS))
    source = source.mask(data.notna(), "data").mask(mine.notna(), "analyst")
    return scores, source


def _sources(source: pd.DataFrame, kind: str) -> list[str]:
    return [", ".join(d for d in DIMENSIONS if row[d] == kind) for _, row in source.iterrows()]


def ranked_table(
    candidates: pd.DataFrame,
    proposals: Proposals | None,
    analyst: pd.DataFrame | None,
    model: ScoringModel,
) -> pd.DataFrame:
    """One row per active candidate, best first.

    Columns: rank, name, link, the dimensions, harm, likelihood, risk, position, priority,
    missing, from_data, from_analyst, volume_count, and the evidence per proposal.
    """
    ids = pd.Index(candidates["candidate_id"], name="candidate_id")
    scores, source = working_scores(proposals, analyst, ids)
    ranked = score_candidates(scores, model)
    info = candidates.set_index("candidate_id").reindex(ranked.index)
    out = ranked.copy()
    out.insert(0, "link", info["link"])
    out.insert(0, "name", info["name"])
    out.insert(0, "rank", out.pop("rank"))
    out["from_data"] = _sources(source.reindex(ranked.index), "data")
    out["from_analyst"] = _sources(source.reindex(ranked.index), "analyst")
    if proposals is not None:
        out["volume_count"] = proposals.facts["current"].reindex(ranked.index)
        for dim, label in EVIDENCE_COLUMNS.items():
            out[label] = proposals.evidence[dim].reindex(ranked.index)
    else:
        out["volume_count"] = float("nan")
    return out


def display_table(ranked: pd.DataFrame) -> pd.DataFrame:
    """The ranked table with headings in words (for screens and exports)."""
    cols = {
        "rank": "Rank",
        "name": "Candidate priority",
        "link": "Data series",
        "priority": "Priority score (0-1)",
        "risk": "Risk (harm x likelihood)",
        "harm": "Harm",
        "likelihood": "Likelihood",
        "concern": "Public concern",
        "position": "Position",
        "confidence": "Confidence",
        "missing": "Not scored",
        "from_data": "Proposed by the data",
        "from_analyst": "Set by the analyst",
        "volume_count": "Count in the period",
    }
    out = ranked.reset_index(drop=True)
    keep = [c for c in cols if c in out] + [c for c in EVIDENCE_COLUMNS.values() if c in out]
    out = out.loc[:, keep].rename(columns=cols)
    return out


def dimension_table(ranked: pd.DataFrame) -> pd.DataFrame:
    """Every dimension's score per candidate, headed by the dimension's label."""
    out = ranked.loc[:, ["rank", "name", *DIMENSIONS]].reset_index(drop=True)
    return out.rename(columns={"rank": "Rank", "name": "Candidate priority", **DIMENSION_LABELS})


def evidence_grid(
    proposals: Proposals | None, source: pd.DataFrame, analyst_notes: pd.Series | None = None
) -> pd.DataFrame:
    """Evidence text per candidate and dimension: the data's evidence or "analyst's score".

    The harm proposal's evidence stands behind each harm sub-dimension.
    """
    out = pd.DataFrame("", index=source.index, columns=list(DIMENSIONS), dtype=object)
    if proposals is not None:
        ev = proposals.evidence.reindex(source.index)
        for dim in DIMENSIONS:
            base = "harm" if dim in HARM_DIMENSIONS else dim
            if base in ev:
                out[dim] = ev[base].where(source[dim] == "data", "")
    notes = analyst_notes.reindex(source.index) if analyst_notes is not None else None
    for dim in DIMENSIONS:
        mine = source[dim] == "analyst"
        text = (
            "analyst's score"
            if notes is None
            else notes.fillna("").map(lambda n: f"analyst's score: {n}" if n else "analyst's score")
        )
        out[dim] = out[dim].where(~mine, text)
    return out.fillna("")
