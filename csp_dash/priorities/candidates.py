"""Candidate priorities: one per theme (seeded automatically) plus free-text issues.

Each candidate may link to the data series that measures it: a theme or a police.uk
category (police data), or a partner dataset in the cube (e.g. domestic abuse). Retiring a
candidate keeps its row, so seeding never brings a retired theme back.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update

from csp_dash.db import queries
from csp_dash.db.schema_priorities import priority_candidates
from csp_dash.db.version import bump

SERIES_KINDS = ("theme", "category", "dataset")
CANDIDATE_COLUMNS = [
    "candidate_id",
    "name",
    "kind",
    "series_kind",
    "series_value",
    "description",
    "active",
    "sort_order",
]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def link_label(series_kind: str | None, series_value: str | None) -> str:
    """The linked series in words, e.g. "theme: Violence"; "no data link" when unlinked."""
    if pd.isna(series_kind) or pd.isna(series_value) or not series_kind or not series_value:
        return "no data link"
    return f"{series_kind}: {series_value}"


def list_candidates(engine: Engine, include_retired: bool = False) -> pd.DataFrame:
    """Candidates in display order (columns CANDIDATE_COLUMNS plus ``link``)."""
    c = priority_candidates.c
    stmt = select(*[c[name] for name in CANDIDATE_COLUMNS]).order_by(c.sort_order, c.name)
    if not include_retired:
        stmt = stmt.where(c.active.is_(True))
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["active"] = df["active"].astype(bool)
    for col in ("series_kind", "series_value", "description"):
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    df["link"] = [
        link_label(k, v) for k, v in zip(df["series_kind"], df["series_value"], strict=True)
    ]
    return df


def _next_order(conn) -> int:
    return int(conn.execute(select(func.max(priority_candidates.c.sort_order))).scalar() or 0) + 1


def seed_theme_candidates(engine: Engine) -> list[str]:
    """Add a candidate for every theme without one (linked to that theme); returns names added.

    A theme counts as present if any candidate, retired or not, links to it or has its name.
    """
    themes = list(dict.fromkeys(queries.theme_table(engine)["theme"]))
    c = priority_candidates.c
    added: list[str] = []
    with engine.connect() as conn:  # a read first: pages call this on every rerun
        rows = conn.execute(select(c.name, c.series_kind, c.series_value)).all()
    present = {r.name.casefold() for r in rows} | {
        r.series_value.casefold() for r in rows if r.series_kind == "theme"
    }
    if all(t.casefold() in present for t in themes):
        return added
    with engine.begin() as conn:
        rows = conn.execute(select(c.name, c.series_kind, c.series_value)).all()
        names = {r.name.casefold() for r in rows}
        linked = {r.series_value for r in rows if r.series_kind == "theme"}
        order = _next_order(conn)
        for theme in themes:
            if theme in linked or theme.casefold() in names:
                continue
            conn.execute(
                insert(priority_candidates).values(
                    candidate_id=uuid.uuid4().hex,
                    name=theme,
                    kind="theme",
                    series_kind="theme",
                    series_value=theme,
                    description=f"The {theme} theme of the Strategic Assessment",
                    active=True,
                    sort_order=order,
                    created_at=_now(),
                )
            )
            order += 1
            added.append(theme)
        if added:
            bump(conn)
    return added


def _check_link(series_kind: str | None, series_value: str | None) -> tuple[str | None, str | None]:
    if not series_kind or not (series_value or "").strip():
        return None, None
    if series_kind not in SERIES_KINDS:
        raise ValueError(f"a data link is one of {', '.join(SERIES_KINDS)}, not '{series_kind}'")
    return series_kind, series_value.strip()


def add_issue(
    engine: Engine,
    name: str,
    series_kind: str | None = None,
    series_value: str | None = None,
    description: str | None = None,
) -> str:
    """Add a free-text candidate (e.g. "County lines"); returns its id.

    A retired candidate of the same name comes back instead of being duplicated.
    """
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("a candidate priority needs a name")
    if len(name) > 200:
        raise ValueError("a candidate's name must be 200 characters or fewer")
    series_kind, series_value = _check_link(series_kind, series_value)
    c = priority_candidates.c
    with engine.begin() as conn:
        existing = conn.execute(
            select(c.candidate_id, c.active).where(func.lower(c.name) == name.lower())
        ).first()
        if existing is not None and existing.active:
            raise ValueError(f"'{name}' is already a candidate")
        if existing is not None:
            conn.execute(
                update(priority_candidates)
                .where(c.candidate_id == existing.candidate_id)
                .values(
                    active=True,
                    series_kind=series_kind,
                    series_value=series_value,
                    description=description,
                )
            )
            bump(conn)
            return existing.candidate_id
        cid = uuid.uuid4().hex
        conn.execute(
            insert(priority_candidates).values(
                candidate_id=cid,
                name=name,
                kind="issue",
                series_kind=series_kind,
                series_value=series_value,
                description=description,
                active=True,
                sort_order=_next_order(conn),
                created_at=_now(),
            )
        )
        bump(conn)
    return cid


def set_link(
    engine: Engine, candidate_id: str, series_kind: str | None, series_value: str | None
) -> None:
    """Link a candidate to a data series, or unlink it (None)."""
    series_kind, series_value = _check_link(series_kind, series_value)
    with engine.begin() as conn:
        conn.execute(
            update(priority_candidates)
            .where(priority_candidates.c.candidate_id == candidate_id)
            .values(series_kind=series_kind, series_value=series_value)
        )
        bump(conn)


def set_active(engine: Engine, candidate_id: str, active: bool) -> None:
    """Retire a candidate (False) or bring it back (True); its scores are kept."""
    with engine.begin() as conn:
        conn.execute(
            update(priority_candidates)
            .where(priority_candidates.c.candidate_id == candidate_id)
            .values(active=bool(active))
        )
        bump(conn)


def ensure_candidates(engine: Engine) -> pd.DataFrame:
    """Seed theme candidates if needed, then return the active ones."""
    seed_theme_candidates(engine)
    return list_candidates(engine)
