"""Partner workshops: open one for a year, freeze its candidates and evidence, close it.

Opening a workshop snapshots the candidates, the scoring model and the working scores with
their evidence, so every partner sees the same figures for the whole session and the record
still reads the same next year, whatever data is loaded later.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from csp_dash.analysis.scoring import DIMENSIONS, POSITION_DIMENSIONS, ScoringModel
from csp_dash.db.schema_priorities import (
    workshop_candidates,
    workshop_proposals,
    workshops,
)
from csp_dash.db.version import bump

# What partners score by default: the judgement calls. Volume, trend and concern come from the
# data and the survey, though a workshop may ask partners for them too.
DEFAULT_PARTNER_DIMENSIONS = (
    "physical",
    "psychological",
    "financial",
    "community",
    *POSITION_DIMENSIONS,
    "confidence",
)

# What the lowest and highest scores mean, shown beside each question.
DIMENSION_HELP = {
    "physical": "Physical harm to victims: lowest = little or none, highest = death or serious injury.",
    "psychological": "Psychological harm: lowest = passing upset, highest = lasting trauma or fear.",
    "financial": "Financial harm to victims and services: lowest = negligible, highest = severe loss.",
    "community": "Harm to the community (confidence, cohesion, fear of crime): lowest = none, "
    "highest = widespread.",
    "volume": "How often it happens here: lowest = rare, highest = very frequent.",
    "trend": "Direction over the last year: lowest = falling clearly, middle = steady, "
    "highest = rising clearly.",
    "concern": "How much residents worry about it: lowest = hardly at all, highest = a great deal.",
    "capacity": "Partners' capacity (people, time, money) to act: lowest = none spare, "
    "highest = ample.",
    "capability": "Partners' capability (powers, skills, tools that work): lowest = none, "
    "highest = proven approaches in place.",
    "confidence": "Your confidence in the evidence: lowest = a guess, highest = strong data.",
}


@dataclass(frozen=True)
class Workshop:
    workshop_id: str
    year: int
    title: str
    status: str
    dimensions: tuple[str, ...]
    model: ScoringModel
    evidence_note: str | None
    opened_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_workshop_id() -> str:
    """A short, unguessable id for the participant link."""
    return uuid.uuid4().hex[:12]


def open_workshop(
    engine: Engine,
    year: int,
    title: str,
    candidates: pd.DataFrame,
    scores: pd.DataFrame,
    evidence: pd.DataFrame,
    model: ScoringModel,
    dimensions: tuple[str, ...] = DEFAULT_PARTNER_DIMENSIONS,
    evidence_note: str | None = None,
    volume: pd.Series | None = None,
) -> str:
    """Open a workshop and freeze what the room sees; returns its id.

    ``candidates``: candidate_id, name, link (in the order shown). ``scores``: the working
    scores (indexed by candidate_id, one column per dimension); ``evidence``: text per
    candidate and dimension (any columns); ``volume``: the count behind the volume score.
    """
    dims = tuple(d for d in DIMENSIONS if d in set(dimensions))
    unknown = set(dimensions) - set(DIMENSIONS)
    if unknown or not dims:
        raise ValueError(f"choose the dimensions partners score from {', '.join(DIMENSIONS)}")
    if candidates.empty:
        raise ValueError("a workshop needs at least one candidate priority")
    if not 1990 <= int(year) <= 2100:
        raise ValueError("the workshop's year must be a calendar year such as 2026")
    wid = new_workshop_id()
    cand_rows = [
        {
            "workshop_id": wid,
            "candidate_id": r.candidate_id,
            "name": r.name,
            "link": r.link,
            "sort_order": i,
        }
        for i, r in enumerate(candidates.itertuples(index=False))
    ]
    prop_rows = []
    for cid in candidates["candidate_id"]:
        for dim in DIMENSIONS:
            score = scores.at[cid, dim] if cid in scores.index and dim in scores else None
            text = evidence.at[cid, dim] if cid in evidence.index and dim in evidence else None
            score = None if score is None or pd.isna(score) else float(score)
            text = None if text is None or pd.isna(text) or text == "" else str(text)
            vol = None
            if dim == "volume" and volume is not None and cid in volume.index:
                vol = None if pd.isna(volume[cid]) else float(volume[cid])
            if score is not None or text is not None or vol is not None:
                prop_rows.append(
                    {
                        "workshop_id": wid,
                        "candidate_id": cid,
                        "dimension": dim,
                        "score": score,
                        "evidence": text,
                        "volume": vol,
                    }
                )
    with engine.begin() as conn:
        conn.execute(
            insert(workshops).values(
                workshop_id=wid,
                year=int(year),
                title=title.strip() or f"Priorities workshop {year}",
                status="open",
                dimensions=",".join(dims),
                model_json=json.dumps(model.to_dict()),
                evidence_note=evidence_note,
                opened_at=_now(),
                closed_at=None,
            )
        )
        conn.execute(insert(workshop_candidates), cand_rows)
        if prop_rows:
            conn.execute(insert(workshop_proposals), prop_rows)
        bump(conn)
    return wid


def get_workshop(engine: Engine, workshop_id: str | None) -> Workshop | None:
    """The workshop, or None if the id is unknown."""
    if not workshop_id:
        return None
    w = workshops.c
    with engine.connect() as conn:
        row = conn.execute(select(workshops).where(w.workshop_id == str(workshop_id))).first()
    if row is None:
        return None
    return Workshop(
        row.workshop_id,
        int(row.year),
        row.title,
        row.status,
        tuple(d for d in row.dimensions.split(",") if d),
        ScoringModel.from_dict(json.loads(row.model_json)),
        row.evidence_note,
        row.opened_at,
        row.closed_at,
    )


def list_workshops(engine: Engine) -> pd.DataFrame:
    """Every workshop, newest first: workshop_id, year, title, status, opened_at, closed_at."""
    w = workshops.c
    with engine.connect() as conn:
        return pd.read_sql(
            select(w.workshop_id, w.year, w.title, w.status, w.opened_at, w.closed_at).order_by(
                w.opened_at.desc()
            ),
            conn,
        )


def candidates_of(engine: Engine, workshop_id: str) -> pd.DataFrame:
    """The workshop's candidates in order: candidate_id, name, link."""
    c = workshop_candidates.c
    with engine.connect() as conn:
        return pd.read_sql(
            select(c.candidate_id, c.name, c.link)
            .where(c.workshop_id == workshop_id)
            .order_by(c.sort_order),
            conn,
        )


def proposals_of(engine: Engine, workshop_id: str) -> pd.DataFrame:
    """The frozen proposals, long: candidate_id, dimension, score, evidence, volume."""
    p = workshop_proposals.c
    with engine.connect() as conn:
        df = pd.read_sql(
            select(p.candidate_id, p.dimension, p.score, p.evidence, p.volume)
            .where(p.workshop_id == workshop_id)
            .order_by(p.candidate_id, p.dimension),
            conn,
        )
    df["score"] = df["score"].astype(float)
    df["volume"] = df["volume"].astype(float)
    return df


def data_scores_of(engine: Engine, workshop_id: str) -> pd.DataFrame:
    """The frozen scores wide: indexed by candidate_id, one column per dimension."""
    long = proposals_of(engine, workshop_id).dropna(subset=["score"])
    wide = long.pivot(index="candidate_id", columns="dimension", values="score")
    return wide.reindex(columns=[d for d in DIMENSIONS if d in wide.columns]).astype(float)


def set_status(engine: Engine, workshop_id: str, status: str) -> None:
    """Close ("closed") or reopen ("open") a workshop."""
    if status not in ("open", "closed"):
        raise ValueError("status must be 'open' or 'closed'")
    with engine.begin() as conn:
        conn.execute(
            update(workshops)
            .where(workshops.c.workshop_id == workshop_id)
            .values(status=status, closed_at=_now() if status == "closed" else None)
        )
        bump(conn)
