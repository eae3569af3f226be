"""Agreed priority lists per year, with a rationale each, and their movement year on year.

A list is recorded when the facilitator closes a workshop, or imported from a CSV (last
year's list from the spreadsheet it lived in): columns ``priority`` (or ``name``), optional
``rank`` and ``rationale``, and ``year`` unless the year is given.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update

from csp_dash.analysis.workshop import movement
from csp_dash.db.schema_priorities import agreed_priorities, workshops
from csp_dash.db.version import bump
from csp_dash.ingest.errors import IngestError


@dataclass(frozen=True)
class AgreedItem:
    name: str
    rationale: str | None = None
    priority_score: float | None = None


def _clean_items(items: list[AgreedItem], need_rationale: bool) -> list[AgreedItem]:
    out, seen = [], set()
    for i, item in enumerate(items, start=1):
        name = " ".join((item.name or "").split())
        if not name:
            raise ValueError(f"priority {i} has no name")
        if name.casefold() in seen:
            raise ValueError(f"'{name}' is listed twice")
        seen.add(name.casefold())
        rationale = (item.rationale or "").strip() or None
        if need_rationale and not rationale:
            raise ValueError(f"give the rationale for priority {i}, {name}")
        out.append(AgreedItem(name, rationale, item.priority_score))
    if not out:
        raise ValueError("the agreed list is empty")
    return out


def record_agreed_list(
    engine: Engine,
    year: int,
    items: list[AgreedItem],
    workshop_id: str | None = None,
    need_rationale: bool = True,
    close: bool = False,
) -> None:
    """Store the year's agreed list in rank order, replacing any earlier list for that year.

    With ``close`` the workshop is closed in the same step.
    """
    items = _clean_items(items, need_rationale)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "year": int(year),
            "rank": i,
            "name": it.name,
            "rationale": it.rationale,
            "workshop_id": workshop_id,
            "priority_score": None
            if it.priority_score is None or pd.isna(it.priority_score)
            else float(it.priority_score),
            "recorded_at": now,
        }
        for i, it in enumerate(items, start=1)
    ]
    with engine.begin() as conn:
        conn.execute(delete(agreed_priorities).where(agreed_priorities.c.year == int(year)))
        conn.execute(insert(agreed_priorities), rows)
        if close and workshop_id:  # the same transaction: never a closed workshop without its list
            conn.execute(
                update(workshops)
                .where(workshops.c.workshop_id == workshop_id)
                .values(status="closed", closed_at=now)
            )
        bump(conn)


def agreed_list(engine: Engine, year: int) -> pd.DataFrame:
    """The year's list: rank, name, rationale, priority_score, workshop_id, recorded_at."""
    a = agreed_priorities.c
    with engine.connect() as conn:
        return pd.read_sql(
            select(a.rank, a.name, a.rationale, a.priority_score, a.workshop_id, a.recorded_at)
            .where(a.year == int(year))
            .order_by(a.rank),
            conn,
        )


def agreed_years(engine: Engine) -> list[int]:
    """Years with an agreed list, newest first."""
    with engine.connect() as conn:
        years = conn.execute(select(agreed_priorities.c.year).distinct()).scalars().all()
    return sorted((int(y) for y in years), reverse=True)


def year_on_year(engine: Engine, year: int, last_year: int | None = None) -> pd.DataFrame:
    """Movement of ``year``'s list against the previous list (default: the latest before it).

    Names match ignoring case and spacing. Columns: candidate, rank, last_rank, change,
    status (new, dropped, up N, down N, same), rationale (this year's, or last year's for a
    dropped priority). ``attrs["last_year"]`` names the year compared with (None if none).
    """
    if last_year is None:
        earlier = [y for y in agreed_years(engine) if y < int(year)]
        last_year = earlier[0] if earlier else None
    this = agreed_list(engine, year)
    last = agreed_list(engine, last_year) if last_year is not None else this.iloc[0:0]

    def key(name: str) -> str:
        return " ".join(name.split()).casefold()

    spelling = {key(n): n for n in this["name"]}
    last_names = [spelling.get(key(n), n) for n in last["name"]]
    out = movement(list(this["name"]), last_names)
    why = dict(zip(this["name"], this["rationale"], strict=True))
    why_before = dict(zip(last_names, last["rationale"], strict=True))
    out["rationale"] = [
        why.get(c) if s != "dropped" else why_before.get(c)
        for c, s in zip(out["candidate"], out["status"], strict=True)
    ]
    out.attrs["last_year"] = last_year
    return out


def read_agreed_csv(data: bytes, name: str, year: int | None = None) -> dict[int, list[AgreedItem]]:
    """Parse an agreed-list CSV into items per year, in rank order."""
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise IngestError(name, f"cannot be read as a UTF-8 CSV ({exc})") from None
    cols = {c.strip().lower(): c for c in df.columns}
    name_c = cols.get("priority") or cols.get("name")
    if name_c is None:
        raise IngestError(name, "needs a 'priority' (or 'name') column")
    if year is None and "year" not in cols:
        raise IngestError(name, "give the year, or a 'year' column")
    df["_row"] = range(1, len(df) + 1)
    df["_year"] = year if year is not None else pd.to_numeric(df[cols["year"]], errors="coerce")
    df["_rank"] = pd.to_numeric(df[cols["rank"]], errors="coerce") if "rank" in cols else df["_row"]
    for col, what in (("_year", "year"), ("_rank", "rank")):
        bad = df[col].isna()
        if bad.any():
            raise IngestError(
                name, f"the {what} is not a number", row=int(df.loc[bad, "_row"].iloc[0])
            )
    out: dict[int, list[AgreedItem]] = {}
    for y, part in df.sort_values(["_year", "_rank", "_row"]).groupby("_year", sort=True):
        rationale = part[cols["rationale"]] if "rationale" in cols else [None] * len(part)
        out[int(y)] = [
            AgreedItem(n, r or None) for n, r in zip(part[name_c], rationale, strict=True)
        ]
    return out


def import_agreed_list(
    engine: Engine,
    source: str | Path | bytes,
    year: int | None = None,
    file_name: str | None = None,
) -> dict[int, int]:
    """Load agreed lists from a CSV (each year replaced); returns priorities loaded per year."""
    if isinstance(source, bytes):
        data, name = source, file_name or "agreed.csv"
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise IngestError(str(source), f"cannot be opened ({exc.strerror})") from None
        name = file_name or Path(source).name
    lists = read_agreed_csv(data, name, year)
    for y, items in lists.items():  # check every year before writing any
        try:
            _clean_items(items, need_rationale=False)
        except ValueError as exc:
            raise IngestError(name, f"year {y}: {exc}") from None
    for y, items in lists.items():
        record_agreed_list(engine, y, items, need_rationale=False)
    return {y: len(items) for y, items in lists.items()}
