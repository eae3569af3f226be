"""csp-dash update: fetch and load every police.uk month newer than the database holds.

Idempotent: the months wanted are those police.uk lists (crimes-street-dates) after the newest
loaded one, so a second run finds none and downloads nothing. Months loaded by the API route
are fetched again (from the archive when it has them) when police.uk's crime-last-updated
date moves, so a month first seen by the API ends up loaded whole from the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from csp_dash.db.cube import POLICE
from csp_dash.db.schema import ingest_files, schema_meta
from csp_dash.fetch.district import DistrictSpec
from csp_dash.fetch.errors import FetchError
from csp_dash.fetch.http import Client
from csp_dash.fetch.police import API_FOLDER, FetchReport, Progress, fetch_police

LAST_UPDATED_KEY = "police_uk_last_updated"


@dataclass
class UpdateResult:
    line: str  # the one-line summary a scheduler logs
    report: FetchReport | None
    ok: bool = True


def available_months(client: Client) -> list[str]:
    dates = client.api_json("crimes-street-dates")
    if not isinstance(dates, list) or not all(isinstance(d, dict) and "date" in d for d in dates):
        raise FetchError("crimes-street-dates: expected a list of {\"date\": \"YYYY-MM\"}")
    return sorted({str(d["date"])[:7] for d in dates})


def last_updated(client: Client) -> str:
    answer = client.api_json("crime-last-updated")
    if not isinstance(answer, dict) or "date" not in answer:
        raise FetchError("crime-last-updated: expected {\"date\": ...}")
    return str(answer["date"])


def loaded_months(engine: Engine, force: str | None = None) -> dict[str, str]:
    """{YYYY-MM: file name} of loaded police months (of one force if given)."""
    f = ingest_files.c
    q = select(f.month, f.file_name).where(f.source == POLICE)
    if force:
        q = q.where(f.force == force)
    with engine.connect() as conn:
        return {f"{r.month:%Y-%m}": r.file_name for r in conn.execute(q)}


def _stored(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(schema_meta.c.value)
                            .where(schema_meta.c.key == LAST_UPDATED_KEY)).scalar()


def _store(engine: Engine, value: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(schema_meta).where(schema_meta.c.key == LAST_UPDATED_KEY))
        conn.execute(insert(schema_meta).values(key=LAST_UPDATED_KEY, value=value))


def update(engine: Engine, spec: DistrictSpec, route: str = "auto", start: str | None = None,
           client: Client | None = None, cache_dir: Path | None = None,
           progress: Progress | None = None) -> UpdateResult:
    """Bring the database up to date. Raises FetchError (nothing loaded) on failure."""
    client = client or Client()
    stamp = last_updated(client)
    available = available_months(client)
    if not available:
        raise FetchError("police.uk lists no months (crimes-street-dates is empty)")
    loaded = loaded_months(engine, spec.force)
    if loaded:
        newest = max(loaded)
        wanted = [m for m in available if m > newest]
    else:  # a new database: everything police.uk offers, or from --from
        wanted = [m for m in available if not start or m >= start]
    if _stored(engine) != stamp:
        wanted += [m for m, name in loaded.items() if f"/{API_FOLDER}/" in name and m in available]
    wanted = sorted(set(wanted))
    if not wanted:
        _store(engine, stamp)
        return UpdateResult(f"up to date: newest month {max(loaded)} loaded; police.uk last "
                            f"updated {stamp[:10]}; nothing fetched", None)
    report = fetch_police(engine, spec, wanted, route, client, cache_dir, progress)
    ing = report.ingest
    if ing is not None and ing.refused:
        return UpdateResult(f"incomplete: {len(ing.refused)} fetched file(s) refused by the "
                            f"ingest (first: {ing.refused[0].error}); {report.summary()}",
                            report, ok=False)
    _store(engine, stamp)
    return UpdateResult(f"updated: {report.summary()}; police.uk last updated {stamp[:10]}",
                        report)
