"""Load a consultation survey: residents' concern (a rating or a rank) per theme, with their area.

Two layouts are read:

- wide: one row per respondent, an area column, then one numeric column per theme
  (e.g. ``respondent,estate,Violence,Drugs,...``);
- long: one row per answer, with columns ``theme`` and ``concern`` (or ``rating``, ``rank``,
  ``answer``), plus the area and, ideally, a respondent id.

``kind="rating"``: higher means more concern, on ``scale`` (default 1 to 5).
``kind="rank"``: 1 means the most concern; the scale is 1 to the number of themes asked.
Theme names matching a theme or candidate priority (ignoring case) take its spelling, so the
survey joins the candidates. Areas are matched to the codes or names of ``layer`` (default
estate); the values that match nothing are kept as written and reported. A file replaces the
survey of the same id in one transaction; the same file again is "unchanged".
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from csp_dash.db import queries
from csp_dash.db.schema import areas
from csp_dash.db.schema_priorities import priority_candidates, survey_answers, surveys
from csp_dash.db.version import bump
from csp_dash.ingest.errors import IngestError

AREA_GUESSES = (
    "area",
    "respondent area",
    "estate",
    "neighbourhood",
    "ward",
    "lsoa",
    "area code",
    "postcode area",
    "where do you live",
)
RESPONDENT_GUESSES = (
    "respondent",
    "respondent id",
    "respondent_id",
    "response id",
    "response_id",
    "id",
)
ANSWER_GUESSES = ("concern", "rating", "rank", "answer", "score")
KINDS = ("rating", "rank")


@dataclass
class SurveyReport:
    survey_id: str
    status: str  # "loaded", "replaced" or "unchanged"
    respondents: int = 0
    answers: int = 0
    themes: list[str] = field(default_factory=list)
    unmatched_areas: list[str] = field(default_factory=list)
    no_area: int = 0


def _find(
    columns: list[str], wanted: str | None, guesses: tuple[str, ...], name: str, what: str
) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    if wanted:
        if wanted.strip().lower() not in lower:
            raise IngestError(
                name, f"has no {what} column '{wanted}' (columns: {', '.join(columns)})"
            )
        return lower[wanted.strip().lower()]
    return next((lower[g] for g in guesses if g in lower), None)


def _read_csv(data: bytes, name: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise IngestError(name, f"cannot be read as a UTF-8 CSV ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise IngestError(name, "holds no responses")
    return df


def _numbers(values: pd.Series, name: str, column: str, offset: np.ndarray) -> pd.Series:
    text = values.str.strip()
    num = pd.to_numeric(text, errors="coerce")
    bad = (text != "") & num.isna()
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise IngestError(
            name, f"'{values.iloc[i]}' in column '{column}' is not a number", row=int(offset[i])
        )
    return num


def read_survey(
    data: bytes, name: str, *, area_column: str | None = None, respondent_column: str | None = None
) -> pd.DataFrame:
    """Parse a survey CSV into long rows: respondent, area_given, theme, answer, row.

    Blank answers are left out. ``row`` is the data row number (1 = first row after the header).
    """
    df = _read_csv(data, name)
    cols = list(df.columns)
    area_c = _find(cols, area_column, AREA_GUESSES, name, "area")
    if area_c is None:
        raise IngestError(
            name, "choose the respondent's area column (columns: " + ", ".join(cols) + ")"
        )
    resp_c = _find(cols, respondent_column, RESPONDENT_GUESSES, name, "respondent")
    rows = np.arange(1, len(df) + 1)
    respondent = df[resp_c].str.strip() if resp_c else pd.Series([f"row {r}" for r in rows])
    theme_c = _find(cols, None, ("theme", "issue", "priority"), name, "theme")
    answer_c = _find(cols, None, ANSWER_GUESSES, name, "answer")
    if theme_c and answer_c:
        long = pd.DataFrame(
            {
                "respondent": respondent.to_numpy(),
                "area_given": df[area_c].str.strip(),
                "theme": df[theme_c].str.strip(),
                "answer": _numbers(df[answer_c], name, answer_c, rows),
                "row": rows,
            }
        )
        blank_theme = long["theme"] == ""
        if blank_theme.any():
            raise IngestError(
                name, "a row has no theme", row=int(long.loc[blank_theme, "row"].iloc[0])
            )
    else:
        themes = [c for c in cols if c not in (area_c, resp_c)]
        if not themes:
            raise IngestError(name, "has no theme columns besides the area and respondent")
        parts = []
        for theme in themes:
            parts.append(
                pd.DataFrame(
                    {
                        "respondent": respondent.to_numpy(),
                        "area_given": df[area_c].str.strip().to_numpy(),
                        "theme": theme,
                        "answer": _numbers(df[theme], name, theme, rows).to_numpy(),
                        "row": rows,
                    }
                )
            )
        long = pd.concat(parts, ignore_index=True)
    if resp_c and (long["respondent"] == "").any():
        raise IngestError(
            name,
            "a row has no respondent id",
            row=int(long.loc[long["respondent"] == "", "row"].iloc[0]),
        )
    return long.dropna(subset=["answer"]).reset_index(drop=True)


def _check_scale(
    long: pd.DataFrame, name: str, kind: str, scale: tuple[float, float] | None
) -> tuple[float, float]:
    if kind not in KINDS:
        raise IngestError(name, f"the survey kind must be {' or '.join(KINDS)}, not '{kind}'")
    if kind == "rank":
        lo, hi = (1.0, float(long["theme"].nunique())) if scale is None else scale
        if not np.allclose(long["answer"], np.round(long["answer"])):
            i = int(np.argmax(~np.isclose(long["answer"], np.round(long["answer"]))))
            raise IngestError(
                name,
                f"rank {long['answer'].iloc[i]:g} is not a whole number",
                row=int(long["row"].iloc[i]),
            )
    else:
        lo, hi = scale or (1.0, 5.0)
    if not lo < hi:
        raise IngestError(name, f"the answer scale {lo:g}-{hi:g} is empty")
    out = (long["answer"] < lo) | (long["answer"] > hi)
    if out.any():
        i = int(np.argmax(out.to_numpy()))
        raise IngestError(
            name,
            f"answer {long['answer'].iloc[i]:g} for '{long['theme'].iloc[i]}' "
            f"lies outside the scale {lo:g}-{hi:g} (set the scale to match the "
            "questionnaire)",
            row=int(long["row"].iloc[i]),
        )
    return float(lo), float(hi)


def _canonical_themes(engine: Engine, themes: pd.Series) -> pd.Series:
    """Spell each theme like the matching theme or candidate, ignoring case and spacing."""
    known = list(dict.fromkeys(queries.theme_table(engine)["theme"]))
    with engine.connect() as conn:
        known += list(conn.execute(select(priority_candidates.c.name)).scalars())
    lookup = {" ".join(k.split()).casefold(): k for k in reversed(known)}
    return themes.map(lambda t: lookup.get(" ".join(t.split()).casefold(), t))


def _match_areas(
    engine: Engine, given: pd.Series, layer: str | None
) -> tuple[pd.Series, list[str]]:
    if not layer:
        return pd.Series([None] * len(given), index=given.index, dtype=object), []
    with engine.connect() as conn:
        rows = conn.execute(select(areas.c.code, areas.c.name).where(areas.c.layer == layer)).all()
    lookup = {r.name.strip().casefold(): r.code for r in rows}
    lookup.update({r.code.strip().casefold(): r.code for r in rows})
    code = given.map(lambda g: lookup.get(g.strip().casefold()) if g else None)
    unmatched = sorted(set(given[(given != "") & code.isna()]))
    return code.astype(object).where(code.notna(), None), unmatched


def ingest_survey(
    engine: Engine,
    source: str | Path | bytes,
    *,
    survey_id: str | None = None,
    file_name: str | None = None,
    kind: str = "rating",
    scale: tuple[float, float] | None = None,
    layer: str | None = "estate",
    area_column: str | None = None,
    respondent_column: str | None = None,
) -> SurveyReport:
    """Load (or replace) a survey; raises IngestError naming the file, row and problem."""
    if isinstance(source, bytes):
        data, name = source, file_name or "survey.csv"
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise IngestError(str(path), f"cannot be opened ({exc.strerror})") from None
        name = file_name or path.name
    sid = (survey_id or Path(name).stem).strip()[:64]
    if not sid:
        raise IngestError(name, "the survey needs a name")
    digest = hashlib.sha256(data).hexdigest()
    with engine.connect() as conn:
        old = conn.execute(select(surveys.c.sha256).where(surveys.c.survey_id == sid)).scalar()
    long = read_survey(data, name, area_column=area_column, respondent_column=respondent_column)
    if long.empty:
        raise IngestError(name, "holds no answers")
    lo, hi = _check_scale(long, name, kind, scale)
    long["theme"] = _canonical_themes(engine, long["theme"])
    long["area_code"], unmatched = _match_areas(engine, long["area_given"], layer)
    report = SurveyReport(
        sid,
        "unchanged" if old == digest else "replaced" if old else "loaded",
        respondents=int(long["respondent"].nunique()),
        answers=len(long),
        themes=sorted(long["theme"].unique()),
        unmatched_areas=unmatched,
        no_area=int(long.loc[long["area_given"] == "", "respondent"].nunique()),
    )
    if old == digest:
        return report
    rows = [
        {
            "survey_id": sid,
            "respondent": r[:64],
            "area_code": a,
            "area_given": g or None,
            "theme": t[:200],
            "answer": float(v),
        }
        for r, a, g, t, v in zip(
            long["respondent"],
            long["area_code"],
            long["area_given"],
            long["theme"],
            long["answer"],
            strict=True,
        )
    ]
    with engine.begin() as conn:
        conn.execute(delete(survey_answers).where(survey_answers.c.survey_id == sid))
        conn.execute(delete(surveys).where(surveys.c.survey_id == sid))
        conn.execute(
            insert(surveys).values(
                survey_id=sid,
                file_name=name,
                sha256=digest,
                kind=kind,
                scale_min=lo,
                scale_max=hi,
                layer=layer,
                n_respondents=report.respondents,
                n_answers=report.answers,
                unmatched_areas="; ".join(unmatched) or None,
                loaded_at=datetime.now(UTC).replace(tzinfo=None),
            )
        )
        conn.execute(insert(survey_answers), rows)
        bump(conn)
    return report


def list_surveys(engine: Engine) -> pd.DataFrame:
    """Loaded surveys, newest first."""
    s = surveys.c
    with engine.connect() as conn:
        return pd.read_sql(
            select(
                s.survey_id,
                s.file_name,
                s.kind,
                s.scale_min,
                s.scale_max,
                s.layer,
                s.n_respondents,
                s.n_answers,
                s.unmatched_areas,
                s.loaded_at,
            ).order_by(s.loaded_at.desc(), s.survey_id),
            conn,
        )


def load_answers(engine: Engine, survey_id: str) -> pd.DataFrame:
    """One survey's answers: respondent, area_code, area_given, theme, answer."""
    a = survey_answers.c
    with engine.connect() as conn:
        df = pd.read_sql(
            select(a.respondent, a.area_code, a.area_given, a.theme, a.answer)
            .where(a.survey_id == survey_id)
            .order_by(a.theme, a.respondent),
            conn,
        )
    df["answer"] = df["answer"].astype(float)
    return df
