"""Partners' workshop submissions: stored exactly once, append-only, each with a timestamp.

One submission is one participant's scores (and comment) for one candidate at one moment. It
is written in a single short transaction: the header row and its score rows together. The
client makes the submission id (uuid4) before sending, so a retry after a lost reply hits the
primary key and is recognised as already stored instead of counting twice. DuckDB allows one
writing process; inside it, short append-only transactions from many sessions never conflict
on a row. Transient failures (a serialisation failure on PostgreSQL, a write conflict on
DuckDB) are retried a few times with back-off.

Organisations are one organisation however they are typed ("police", " Police ", "POLICE"):
stored in the first spelling seen (the offered list's spelling where it is one of those) and
read back the same way, so rows stored before this rule count once too (docs/methods.md).
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from csp_dash.analysis.workshop import SUBMISSION_COLUMNS, organisation_key
from csp_dash.db.schema_priorities import (
    workshop_candidates,
    workshop_scores,
    workshop_submissions,
    workshops,
)
from csp_dash.priorities.workshop.sessions import get_workshop

MAX_NAME = 120
MAX_COMMENT = 2000

# The organisations offered on the participant's form; a typed one is kept as typed.
KNOWN_ORGANISATIONS = (
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
)


def new_submission_id() -> str:
    return uuid.uuid4().hex


def participant_key(name: str, organisation: str) -> str:
    """Who a participant is: name and organisation, ignoring case and spacing."""

    return f"{organisation_key(name)}|{organisation_key(organisation)}"


def spellings(stored: list[str]) -> dict[str, str]:
    """Organisation key -> the spelling shown: the offered list's, else the first stored."""
    out = {organisation_key(o): o for o in KNOWN_ORGANISATIONS}
    for org in stored:
        out.setdefault(organisation_key(org), " ".join(str(org).split()))
    return out


def _stored_organisations(conn, workshop_id: str) -> list[str]:
    s = workshop_submissions.c
    rows = conn.execute(
        select(s.organisation, func.min(s.submitted_at).label("first_at"))
        .where(s.workshop_id == workshop_id)
        .group_by(s.organisation)
        .order_by("first_at", s.organisation)
    )
    return [r.organisation for r in rows]


@dataclass(frozen=True)
class Submission:
    workshop_id: str
    participant: str
    organisation: str
    candidate_id: str
    scores: dict[str, float | None]
    comment: str | None = None
    submission_id: str = field(default_factory=new_submission_id)
    submitted_at: datetime | None = None  # None: the time it is stored


class SubmissionRefused(ValueError):
    """The submission cannot be stored (closed workshop, unknown candidate, bad score ...)."""


def _clean(sub: Submission) -> tuple[str, str, str | None, dict[str, float]]:
    name = " ".join((sub.participant or "").split())
    org = " ".join((sub.organisation or "").split())
    if not name or not org:
        raise SubmissionRefused("enter your name and organisation")
    if len(name) > MAX_NAME or len(org) > MAX_NAME:
        raise SubmissionRefused(f"name and organisation must be {MAX_NAME} characters or fewer")
    comment = (sub.comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise SubmissionRefused(f"a comment must be {MAX_COMMENT} characters or fewer")
    scores = {d: float(v) for d, v in sub.scores.items() if v is not None and not pd.isna(v)}
    if not scores and not comment:
        raise SubmissionRefused("score at least one dimension or leave a comment")
    try:
        uuid.UUID(sub.submission_id)
    except (ValueError, AttributeError, TypeError):
        raise SubmissionRefused("the submission id must be a UUID") from None
    return name, org, comment, scores


def _validate(engine: Engine, sub: Submission, scores: dict[str, float]) -> None:
    ws = get_workshop(engine, sub.workshop_id)
    if ws is None:
        raise SubmissionRefused("this workshop does not exist: check the link")
    for dim, value in scores.items():
        if dim not in ws.dimensions:
            raise SubmissionRefused(f"'{dim}' is not scored at this workshop")
        lo, hi = ws.model.scale(dim)
        if not lo <= value <= hi:
            raise SubmissionRefused(f"{dim} must lie between {lo:g} and {hi:g}")


def _write(
    engine: Engine,
    sub: Submission,
    name: str,
    org: str,
    comment: str | None,
    scores: dict[str, float],
) -> None:
    with engine.begin() as conn:
        status = conn.execute(
            select(workshops.c.status).where(workshops.c.workshop_id == sub.workshop_id)
        ).scalar()
        if status != "open":
            raise SubmissionRefused("this workshop is closed: scores can no longer be changed")
        known = conn.execute(
            select(func.count())
            .select_from(workshop_candidates)
            .where(
                workshop_candidates.c.workshop_id == sub.workshop_id,
                workshop_candidates.c.candidate_id == sub.candidate_id,
            )
        ).scalar()
        if not known:
            raise SubmissionRefused("that candidate is not part of this workshop")
        org = spellings(_stored_organisations(conn, sub.workshop_id)).get(
            organisation_key(org), org
        )
        conn.execute(
            insert(workshop_submissions).values(
                submission_id=sub.submission_id,
                workshop_id=sub.workshop_id,
                participant_key=participant_key(name, org),
                participant=name,
                organisation=org,
                candidate_id=sub.candidate_id,
                comment=comment,
                submitted_at=sub.submitted_at or datetime.now(UTC).replace(tzinfo=None),
            )
        )
        if scores:
            conn.execute(
                insert(workshop_scores),
                [
                    {"submission_id": sub.submission_id, "dimension": d, "score": v}
                    for d, v in scores.items()
                ],
            )


def is_stored(engine: Engine, submission_id: str) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(
                select(func.count())
                .select_from(workshop_submissions)
                .where(workshop_submissions.c.submission_id == submission_id)
            ).scalar()
            > 0
        )


def submit(engine: Engine, sub: Submission, retries: int = 6) -> bool:
    """Store a submission; True if stored now, False if it had been stored already.

    Raises SubmissionRefused for a submission that can never be stored.
    """
    name, org, comment, scores = _clean(sub)
    _validate(engine, sub, scores)
    for attempt in range(retries + 1):
        try:
            _write(engine, sub, name, org, comment, scores)
            return True
        except IntegrityError:
            if is_stored(engine, sub.submission_id):
                return False  # a retry of a submission that did land
            if attempt == retries:
                raise
            # The same submission sent twice at once (a double tap) collides before either
            # commits on DuckDB: wait for the other to land, then answer "already stored".
            time.sleep(0.02 * (2**attempt) * (1 + random.random()))
            if is_stored(engine, sub.submission_id):
                return False
        except DBAPIError:
            if attempt == retries:
                raise
            # Transient (conflict, serialisation failure, dropped connection): back off.
            time.sleep(0.02 * (2**attempt) * (1 + random.random()))
            if is_stored(engine, sub.submission_id):
                return False
    raise AssertionError("unreachable")


def submissions(engine: Engine, workshop_id: str, participant: str | None = None) -> pd.DataFrame:
    """Every stored row for a workshop, oldest first, in ``analysis.workshop`` layout.

    ``participant`` is the participant key (name + organisation, ignoring case), so a
    participant's later submission replaces their earlier one; ``name`` is as they typed it.
    Also: submission_id. A submission with no scores appears once with a blank dimension.
    ``participant`` (a participant key) limits the rows to one participant.
    """
    s, sc = workshop_submissions.c, workshop_scores.c
    stmt = (
        select(
            s.submission_id,
            s.participant_key.label("participant"),
            s.participant.label("name"),
            s.organisation,
            s.candidate_id.label("candidate"),
            sc.dimension,
            sc.score,
            s.comment,
            s.submitted_at,
        )
        .select_from(
            workshop_submissions.outerjoin(workshop_scores, sc.submission_id == s.submission_id)
        )
        .where(s.workshop_id == workshop_id)
        .order_by(s.submitted_at, s.submission_id, sc.dimension)
    )
    if participant is not None:
        stmt = stmt.where(s.participant_key == participant)
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
        shown = spellings(_stored_organisations(conn, workshop_id))
    df["score"] = df["score"].astype(float)
    df["submitted_at"] = pd.to_datetime(df["submitted_at"])
    df["organisation"] = df["organisation"].map(lambda o: shown[organisation_key(o)])
    return df.loc[:, ["submission_id", "name", *SUBMISSION_COLUMNS]]


def participants(engine: Engine, workshop_id: str) -> pd.DataFrame:
    """Who has taken part: participant key, name, organisation, submissions, last seen."""
    s = workshop_submissions.c
    stmt = (
        select(
            s.participant_key,
            func.max(s.participant).label("name"),
            func.max(s.organisation).label("organisation"),
            func.count().label("submissions"),
            func.count(s.candidate_id.distinct()).label("candidates"),
            func.max(s.submitted_at).label("last_at"),
        )
        .where(s.workshop_id == workshop_id)
        .group_by(s.participant_key)
        .order_by(func.max(s.organisation), func.max(s.participant))
    )
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
        shown = spellings(_stored_organisations(conn, workshop_id))
    df["organisation"] = df["organisation"].map(lambda o: shown[organisation_key(o)])
    return df


def workshop_version(engine: Engine, workshop_id: str) -> tuple:
    """(submissions, latest submission time, status): changes whenever the results can."""
    s, w = workshop_submissions.c, workshops.c
    with engine.connect() as conn:
        n, last = conn.execute(
            select(func.count(), func.max(s.submitted_at)).where(s.workshop_id == workshop_id)
        ).one()
        status = conn.execute(
            select(w.status, w.closed_at).where(w.workshop_id == workshop_id)
        ).first()
    return (int(n), str(last), tuple(map(str, status)) if status else None)
