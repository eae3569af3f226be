"""Load police.uk street-crime files: each force-month file replaces its predecessor atomically."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Engine, and_, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from csp_dash.db.bulk import bulk_insert
from csp_dash.db.cube import POLICE, rebuild_cube
from csp_dash.db.schema import crimes, ingest_files, rejects
from csp_dash.ingest.assign import assign_new_locations
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.guard import refuse_into_demo
from csp_dash.ingest.policeuk import ParsedFile, parse_street_file, read_source
from csp_dash.ingest.sources import STREET_NAME, SourceFile, discover

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
    note: str = ""  # suspicious but loaded (e.g. coordinates that look swapped)


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "refused"]

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files if f.status in ("loaded", "replaced"))


CHUNK_ROWS = 500_000  # rows per transaction: amortises commits, bounds memory, overlaps parsing
PREFETCH = 4  # files parsed ahead on a second thread while the database loads


def ingest_police(engine: Engine, paths: Iterable[str | Path], progress: Progress | None = None,
                  ) -> IngestReport:
    """Ingest police.uk street files.

    Each file is loaded whole or refused whole; a refused file leaves the database as it was.
    Files are committed in chunks of about CHUNK_ROWS rows, one transaction a chunk. Parsing
    (Arrow, which releases the GIL) runs ahead on a thread while the database loads.
    """
    paths = list(paths)
    refuse_into_demo(engine, ", ".join(Path(p).name for p in paths) or "files")
    found = discover(paths)
    report = IngestReport(skipped=found.skipped)
    with engine.connect() as conn:
        f = ingest_files.c
        known = {(r.force, r.month): r for r in conn.execute(
            select(f.force, f.month, f.file_name, f.sha256, f.rows_loaded, f.rows_no_location,
                   f.rows_rejected).where(f.source == POLICE))}
    cache: dict = {}
    chunk: list[ParsedFile] = []
    total = len(found.files)
    with ThreadPoolExecutor(max_workers=1) as pool:
        for i, outcome in enumerate(_parse_ahead(pool, found.files, known)):
            if progress:
                progress(i, total, f"Reading {found.files[i].base_name}")
            if isinstance(outcome, FileResult):
                report.files.append(outcome)
                continue
            known[(outcome.force, outcome.month)] = SimpleNamespace(
                sha256=outcome.sha256, rows_loaded=outcome.n_rows,
                rows_no_location=outcome.n_no_location, rows_rejected=len(outcome.rejects))
            chunk.append(outcome)
            if sum(p.n_rows for p in chunk) >= CHUNK_ROWS:
                report.files.extend(_load_chunk(engine, chunk, cache))
                chunk = []
        if chunk:
            report.files.extend(_load_chunk(engine, chunk, cache))
    if progress:
        progress(total, total, "Done")
    return report


def _parse_ahead(pool: ThreadPoolExecutor, files: list[SourceFile], known: dict):
    """Yield each file's ParsedFile or FileResult in order, parsing up to PREFETCH files ahead."""
    pending: deque = deque()
    it = iter(files)
    for src in it:
        pending.append(pool.submit(_parse_one, src, dict(known)))
        if len(pending) >= PREFETCH:
            break
    while pending:
        yield pending.popleft().result()
        nxt = next(it, None)
        if nxt is not None:
            pending.append(pool.submit(_parse_one, nxt, dict(known)))


def _unchanged(src: SourceFile, force: str, month: date, known: dict, sha: str) -> FileResult | None:
    """The log's figures if this force-month was loaded from identical bytes, else None."""
    old = known.get((force, month))
    if old is None or old.sha256 != sha:
        return None
    return FileResult(src.name, force, f"{month:%Y-%m}", "unchanged", old.rows_loaded,
                      old.rows_no_location, old.rows_rejected)


def _parse_one(src: SourceFile, known: dict) -> ParsedFile | FileResult:
    try:
        data, sha = read_source(src)
        m = STREET_NAME.search(src.base_name)
        if m and m.group("month")[5:7] in {f"{i:02d}" for i in range(1, 13)}:
            month = date(int(m.group("month")[:4]), int(m.group("month")[5:7]), 1)
            same = _unchanged(src, m.group("force").lower(), month, known, sha)
            if same:
                return same  # identical bytes already loaded: no need to parse again
        parsed = parse_street_file(src, data, sha)
    except IngestError as exc:
        return FileResult(src.name, "", "", "refused", error=str(exc))
    return _unchanged(src, parsed.force, parsed.month, known, sha) or parsed


def _result(p: ParsedFile, status: str) -> FileResult:
    return FileResult(p.file_name, p.force, f"{p.month:%Y-%m}", status, p.n_rows,
                      p.n_no_location, len(p.rejects), note="; ".join(p.notes))


def _load_chunk(engine: Engine, chunk: list[ParsedFile], cache: dict) -> list[FileResult]:
    """Load a chunk in one transaction; if the database refuses it, load file by file so one
    file's failure costs only that file, and say which file and why."""
    try:
        return _load_together(engine, chunk, cache)
    except SQLAlchemyError as exc:
        cache.clear()  # assignments made in the rolled-back transaction are gone
        if len(chunk) == 1:
            p = chunk[0]
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            return [FileResult(p.file_name, p.force, f"{p.month:%Y-%m}", "refused",
                               error=f"{p.file_name}: the database refused the file ({reason}); "
                               "nothing from it was loaded")]
    return [r for p in chunk for r in _load_chunk(engine, [p], cache)]


def _load_together(engine: Engine, chunk: list[ParsedFile], cache: dict) -> list[FileResult]:
    # A file seen twice in one call: the later one wins, as it would across calls.
    latest = {(p.force, p.month): p for p in chunk}
    results = [_result(p, "superseded") for p in chunk if latest[(p.force, p.month)] is not p]
    with engine.begin() as conn:
        for p in latest.values():
            results.append(_result(p, "replaced" if _remove(conn, p.force, p.month) else "loaded"))
        # One Arrow chunk per file (see policeuk._arrow_csv): DuckDB scans a table of many
        # small chunks several times slower, and re-chunking it costs as much again.
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
        keys = pc.unique(rows.column("location_key").drop_null()).to_numpy()
        assign_new_locations(conn, keys, cache)
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
