"""Public concern from the consultation survey, by theme and by estate (or the survey's layer)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, select

from csp_dash.analysis.scoring import ScoringModel, propose_concern
from csp_dash.db.schema_priorities import surveys
from csp_dash.ingest.survey import load_answers

# Below this many answers an estate's figure is shown but marked as resting on few people.
FEW_ANSWERS = 10


@dataclass(frozen=True)
class SurveyInfo:
    survey_id: str
    kind: str
    scale: tuple[float, float]
    layer: str | None
    respondents: int


def survey_info(engine: Engine, survey_id: str | None) -> SurveyInfo | None:
    s = surveys.c
    stmt = select(s.survey_id, s.kind, s.scale_min, s.scale_max, s.layer, s.n_respondents)
    stmt = (
        stmt.where(s.survey_id == survey_id)
        if survey_id
        else stmt.order_by(s.loaded_at.desc(), s.survey_id).limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    return SurveyInfo(
        row.survey_id,
        row.kind,
        (float(row.scale_min), float(row.scale_max)),
        row.layer,
        int(row.n_respondents),
    )


def _propose(answers: pd.DataFrame, info: SurveyInfo, scale: tuple[float, float]) -> pd.DataFrame:
    out = propose_concern(
        answers.rename(columns={"answer": "concern"})[["theme", "concern"]],
        survey_scale=info.scale,
        scale=scale,
        higher_is_more_concern=info.kind != "rank",
    )
    stats = answers.groupby("theme")["answer"].agg(mean="mean", n="count")
    return out.join(stats)


def concern_by_theme(
    engine: Engine, survey_id: str | None = None, model: ScoringModel | None = None
) -> pd.DataFrame:
    """Per theme: score (on the model's concern scale), evidence, mean answer, n answers."""
    info = survey_info(engine, survey_id)
    if info is None:
        return pd.DataFrame(columns=["score", "evidence", "mean", "n"]).rename_axis("theme")
    model = model or ScoringModel()
    return _propose(load_answers(engine, info.survey_id), info, model.scale("concern"))


def concern_by_area(
    engine: Engine, survey_id: str | None = None, model: ScoringModel | None = None
) -> pd.DataFrame:
    """Long: area_code, theme, score, mean, n, few (n < FEW_ANSWERS); only matched areas."""
    info = survey_info(engine, survey_id)
    cols = ["area_code", "theme", "score", "mean", "n", "few"]
    if info is None:
        return pd.DataFrame(columns=cols)
    model = model or ScoringModel()
    answers = load_answers(engine, info.survey_id).dropna(subset=["area_code"])
    parts = []
    for code, group in answers.groupby("area_code", sort=True):
        part = _propose(group, info, model.scale("concern")).reset_index()
        part.insert(0, "area_code", code)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out["few"] = out["n"] < FEW_ANSWERS
    return out.loc[:, cols]
