"""Stored scoring models (scales, weights, position direction) and the analyst's own scores."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from csp_dash.analysis.scoring import DIMENSIONS, ScoringModel
from csp_dash.db.schema_priorities import priority_models, priority_scores
from csp_dash.db.version import bump

DEFAULT_MODEL = "default"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def load_model(engine: Engine, name: str = DEFAULT_MODEL) -> ScoringModel:
    """The stored model, or the defaults when none is stored."""
    with engine.connect() as conn:
        raw = conn.execute(
            select(priority_models.c.model_json).where(priority_models.c.name == name)
        ).scalar()
    return ScoringModel() if raw is None else ScoringModel.from_dict(json.loads(raw))


def scores_outside(engine: Engine, model: ScoringModel) -> list[str]:
    """The analyst's stored scores that a model's scales would not admit, as "dimension: score"."""
    out = []
    for row in analyst_scores(engine).itertuples(index=False):
        lo, hi = model.scale(row.dimension)
        if not lo <= row.score <= hi:
            out.append(f"{row.dimension}: {row.score:g}")
    return out


def save_model(engine: Engine, model: ScoringModel, name: str = DEFAULT_MODEL) -> None:
    """Store (replace) a model; refused if the analyst's stored scores fall outside its scales."""
    fractional = [d for d, (lo, hi) in model.scales.items() if lo != int(lo) or hi != int(hi)]
    if fractional:  # ordinal scales: the percentile proposals need whole-number levels
        raise ValueError("scales must run between whole numbers: " + ", ".join(fractional))
    outside = scores_outside(engine, model) if name == DEFAULT_MODEL else []
    if outside:
        raise ValueError(
            "stored scores lie outside the new scales ("
            + ", ".join(outside[:5])
            + "): change those scores first"
        )
    with engine.begin() as conn:
        conn.execute(delete(priority_models).where(priority_models.c.name == name))
        conn.execute(
            insert(priority_models).values(
                name=name, model_json=json.dumps(model.to_dict()), updated_at=_now()
            )
        )
        bump(conn)


def reset_model(engine: Engine, name: str = DEFAULT_MODEL) -> None:
    """Back to the default model (refused like ``save_model`` if stored scores would not fit)."""
    outside = scores_outside(engine, ScoringModel()) if name == DEFAULT_MODEL else []
    if outside:
        raise ValueError(
            "stored scores lie outside the default scales ("
            + ", ".join(outside[:5])
            + "): change those scores first"
        )
    with engine.begin() as conn:
        conn.execute(delete(priority_models).where(priority_models.c.name == name))
        bump(conn)


def analyst_scores(engine: Engine) -> pd.DataFrame:
    """Long table: candidate_id, dimension, score, note."""
    s = priority_scores.c
    with engine.connect() as conn:
        df = pd.read_sql(
            select(s.candidate_id, s.dimension, s.score, s.note).order_by(
                s.candidate_id, s.dimension
            ),
            conn,
        )
    df["score"] = df["score"].astype(float)
    return df


def analyst_score_grid(engine: Engine) -> pd.DataFrame:
    """Wide: indexed by candidate_id, one column per dimension (NaN where not scored)."""
    long = analyst_scores(engine)
    grid = long.pivot(index="candidate_id", columns="dimension", values="score")
    return grid.reindex(columns=list(DIMENSIONS)).astype(float)


def set_analyst_scores(
    engine: Engine,
    candidate_id: str,
    scores: dict[str, float | None],
    model: ScoringModel | None = None,
    note: str | None = None,
) -> None:
    """Store the analyst's scores for one candidate; None clears a dimension.

    Scores are checked against the model's scales, so a stored score always fits.
    """
    model = model or load_model(engine)
    rows = []
    for dim, value in scores.items():
        if dim not in DIMENSIONS:
            raise ValueError(f"unknown dimension '{dim}'")
        if value is None or pd.isna(value):
            continue
        lo, hi = model.scale(dim)
        if not lo <= float(value) <= hi:
            raise ValueError(f"{dim} must lie between {lo:g} and {hi:g}, not {value}")
        rows.append(
            {
                "candidate_id": candidate_id,
                "dimension": dim,
                "score": float(value),
                "note": note,
                "updated_at": _now(),
            }
        )
    with engine.begin() as conn:
        conn.execute(
            delete(priority_scores).where(
                priority_scores.c.candidate_id == candidate_id,
                priority_scores.c.dimension.in_(list(scores)),
            )
        )
        if rows:
            conn.execute(insert(priority_scores), rows)
        bump(conn)
