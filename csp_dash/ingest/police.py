"""Load police.uk street-crime files: each force-month file replaces its predecessor atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from sqlalchemy import Connection, Engine, and_, delete, insert, select

from csp_dash.db.bulk import bulk_insert
from csp_dash.db.cube import POLICE, rebuild_cube
from csp_dash.db.schema import crimes, ingest_files, rejects
from csp_dash.ingest.assign import assign_new_locations
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.policeuk import ParsedFile, parse_street_file
from csp_dash.ingest.sources import discover

Progress = Callable[[int, int, str], None]  # (files done, files in all, message)


@dataclass
class FileResult:
    file_name: str
    force: str
    month: str
    status: str  # "loaded", "replaced", "unchanged", "refused" or "superseded" (a later copy won)
    rows: int = 0
    no_location: int = 0
    rejected: int = 0
    error: str = ""


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "refused"]

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files if f.status in ("loaded", "replaced"))


CHUNK_ROWS = 2_000_000  # rows per transaction: big enough to amortise commits, small for memory


def ingest_police(engine: Engine, paths: Iterable[str | Path], progress: Progress | None = None,
                  ) -> IngestReport:
    """Ingest police.uk street files.

    Each file is loaded whole or refused whole; a refused file leaves the database as it was.
    Files are committed in chunks of about CHUNK_ROWS rows, one transaction a chunk.
    """
    found = discover(paths)
    report = IngestReport(skipped=found.skipped)
    with engine.connect() as conn:
        known = {(f, m): sha for f, m, sha in conn.execute(
            select(ingest_files.c.force, ingest_files.c.month, ingest_files.c.sha256)
            .where(ingest_files.c.source == POLICE))}
    frames: dict = {}
    chunk: list[ParsedFile] = []
    total = len(found.files)
    for i, src in enumerate(found.files):
        if progress:
            progress(i, total, f"Reading {src.base_name}")
        try:
            parsed = parse_street_file(src)
        except IngestError as exc:
            report.files.append(FileResult(src.name, "", "", "refused", error=str(exc)))
            continue
        if known.get((parsed.force, parsed.month)) == parsed.sha256:
            report.files.append(_result(parsed, "unchanged"))
            continue
        known[(parsed.force, parsed.month)] = parsed.sha256
        chunk.append(parsed)
        if sum(p.n_rows for p in chunk) >= CHUNK_ROWS:
            report.files.extend(_load_chunk(engine, chunk, frames))
            chunk = []
    if chunk:
        report.files.extend(_load_chunk(engine, chunk, frames))
    if progress:
        progress(total, total, "Done")
    return report


def _result(p: ParsedFile, status: str) -> FileResult:
    return FileResult(p.file_name, p.force, f"{p.month:%Y-%m}", status, p.n_rows,
                      p.n_no_location, len(p.rejects))


def _load_chunk(engine: Engine, chunk: list[ParsedFile], frames: dict) -> list[FileResult]:
    # A file seen twice in one call: the later one wins, as it would across calls.
    latest = {(p.force, p.month): p for p in chunk}
    results = [_result(p, "superseded") for p in chunk if latest[(p.force, p.month)] is not p]
    with engine.begin() as conn:
        for p in latest.values():
            results.append(_result(p, "replaced" if _remove(conn, p.force, p.month) else "loaded"))
        rows = pa.concat_tables([p.rows for p in latest.values()])
        bulk_insert(conn, crimes, rows)
        rej = [{"source": POLICE, "force": p.force, "month": p.month, "file_name": p.file_name, **r}
               for p in latest.values() for r in p.rejects.to_dict("records")]
        if rej:
            conn.execute(insert(rejects), rej)
        now = datetime.now(UTC).replace(tzinfo=None)
        conn.execute(insert(ingest_files), [dict(
            source=POLICE, force=p.force, month=p.month, file_name=p.file_name, sha256=p.sha256,
            rows_loaded=p.n_rows, rows_no_location=p.n_no_location, rows_rejected=len(p.rejects),
            loaded_at=now) for p in latest.values()])
        keys = rows.column("location_key").drop_null().to_numpy()
        assign_new_locations(conn, keys, frames)
        rebuild_cube(conn, months=[p.month for p in latest.values()])
    return results


def _remove(conn: Connection, force: str, month) -> bool:
    """Delete a force-month's rows, rejects and log entry; True if there were any."""
    key = and_(ingest_files.c.source == POLICE, ingest_files.c.force == force,
               ingest_files.c.month == month)
    if conn.execute(select(ingest_files.c.sha256).where(key)).first() is None:
        return False
    conn.execute(delete(crimes).where(crimes.c.force == force, crimes.c.month == month))
    conn.execute(delete(rejects).where(rejects.c.source == POLICE, rejects.c.force == force,
                                       rejects.c.month == month))
    conn.execute(delete(ingest_files).where(key))
    return True
