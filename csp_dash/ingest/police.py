"""Load police.uk street-crime files: each force-month file replaces its predecessor atomically."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection, Engine, and_, delete, insert, or_, select
from sqlalchemy.exc import SQLAlchemyError

from csp_dash.db.bulk import ANALYZE_ROWS, analyze_table, bulk_insert
from csp_dash.db.cube import POLICE, rebuild_cube
from csp_dash.db.partitions import ensure_crime_partitions
from csp_dash.db.schema import crimes, ingest_files, rejects
from csp_dash.db.version import bump
from csp_dash.ingest.assign import assign_new_locations, distinct_keys
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


CHUNK_ROWS = 500_000  # rows per transaction, at least: amortises commits, bounds memory
# Rows loaded at a time in a chunk's open transaction as files are parsed. Measured: loading in
# parts of 150k rows made DuckDB write partial row groups at the commit (10M rows: 33.5 s against
# 22.2 s loading whole chunks) and gained nothing on PostgreSQL, so only a month larger than a
# chunk is loaded in parts (docs/architecture.md, "Ingest pipeline").
STAGE_ROWS = CHUNK_ROWS
_MONTHS = {f"{i:02d}" for i in range(1, 13)}
PARSERS = 2  # threads parsing ahead (Arrow releases the GIL) while the database loads a chunk
MAX_AHEAD = 256  # files parsed ahead at most, whatever their size


def ingest_police(engine: Engine, paths: Iterable[str | Path], progress: Progress | None = None,
                  ) -> IngestReport:
    """Ingest police.uk street files.

    Each file is loaded whole or refused whole; a refused file leaves the database as it was.
    Files are committed in chunks of about CHUNK_ROWS rows, one transaction a chunk, parsed
    ahead on PARSERS threads while the database loads the chunk before (docs/architecture.md,
    "Ingest pipeline").
    """
    paths = list(paths)
    refuse_into_demo(engine, ", ".join(Path(p).name for p in paths) or "files")
    found = discover(paths)
    found.files = _month_order(found.files)
    report = IngestReport(skipped=found.skipped)
    with engine.connect() as conn:
        f = ingest_files.c
        known = {(r.force, r.month): r for r in conn.execute(
            select(f.force, f.month, f.file_name, f.sha256, f.rows_loaded, f.rows_no_location,
                   f.rows_rejected).where(f.source == POLICE))}
    stored = set(known)  # force-months the database holds: only these need deleting first
    months = _named_months(engine, found.files)  # partitions made before any chunk begins
    with ThreadPoolExecutor(max_workers=PARSERS) as pool:
        outcomes = _parse_ahead(pool, found.files, known)
        _load_all(engine, outcomes, known, stored, months, report, progress, found.files)
    total = len(found.files)
    if progress:
        progress(total, total, "Done")
    return report


def _load_all(engine: Engine, outcomes, known: dict, stored: set, months: set,
              report: IngestReport, progress: Progress | None, files: list[SourceFile]) -> None:
    """Add each parsed file to the open chunk, committing it when full."""
    cache: dict = {}
    chunk = _Chunk(engine, cache, stored)
    partitioned = engine.dialect.name == "postgresql"
    try:
        for i, outcome in enumerate(outcomes):
            if progress:
                progress(i, len(files), f"Reading {files[i].base_name}")
            if isinstance(outcome, ParsedFile):
                # Parsed against an older snapshot of the log: an identical copy may have
                # been read since, earlier in this call.
                outcome = _unchanged(outcome.file_name, outcome.force, outcome.month, known,
                                     outcome.sha256) or outcome
            if isinstance(outcome, FileResult):
                report.files.append(outcome)
                continue
            known[(outcome.force, outcome.month)] = SimpleNamespace(
                sha256=outcome.sha256, rows_loaded=outcome.n_rows,
                rows_no_location=outcome.n_no_location, rows_rejected=len(outcome.rejects))
            new_partition = partitioned and outcome.month not in months
            if _full(chunk, outcome) or (new_partition and chunk.files):
                report.files.extend(chunk.commit())
                chunk = _Chunk(engine, cache, stored)
            if new_partition:  # a name without its month: made between chunks
                ensure_crime_partitions(engine, [outcome.month])
                months.add(outcome.month)
            chunk.add(outcome)
        if chunk.files:
            report.files.extend(chunk.commit())
    finally:
        chunk.abandon()  # after an unexpected error: roll back what the chunk holds


def _month_order(files: list[SourceFile]) -> list[SourceFile]:
    """Files month by month, so a chunk holds whole months and each month's cube rows are
    rebuilt once. Only when every name gives its month: otherwise the order is the caller's,
    which decides which of two copies of a force-month wins."""
    months = [STREET_NAME.search(f.base_name) for f in files]
    if not all(months):
        return files
    return sorted(files, key=lambda f: STREET_NAME.search(f.base_name).group("month"))  # stable


def _full(chunk: _Chunk, nxt: ParsedFile) -> bool:
    """Commit the chunk before `nxt`: from half CHUNK_ROWS when `nxt` starts a new month, and
    always at twice CHUNK_ROWS (so a month is split only when it is that large)."""
    if not chunk.files:
        return False
    new_month = all(p.month != nxt.month for p in chunk.files)
    return chunk.rows >= 2 * CHUNK_ROWS or (chunk.rows >= CHUNK_ROWS // 2 and new_month)


def _named_months(engine: Engine, files: list[SourceFile]) -> set[date]:
    """The months the files' names give, with their partitions made (PostgreSQL), each in its
    own short transaction: a chunk's transaction then takes no lock on the table's parent."""
    months = set()
    for f in files:
        m = STREET_NAME.search(f.base_name)
        if m and m.group("month")[5:7] in _MONTHS:
            months.add(date(int(m.group("month")[:4]), int(m.group("month")[5:7]), 1))
    ensure_crime_partitions(engine, months)
    return months


def _parse_ahead(pool: ThreadPoolExecutor, files: list[SourceFile], known: dict):
    """Yield each file's ParsedFile or FileResult in order, parsing about a chunk's rows ahead,
    so the next chunk is ready when the database has loaded this one."""
    pending: deque = deque()
    it = iter(files)
    seen_rows = seen_files = 0

    def fill() -> None:
        per_file = seen_rows / seen_files if seen_files else 10_000
        while len(pending) < MAX_AHEAD and len(pending) * per_file < CHUNK_ROWS:
            src = next(it, None)
            if src is None:
                return
            pending.append(pool.submit(_parse_one, src, dict(known)))

    fill()
    while pending:
        out = pending.popleft().result()
        if isinstance(out, ParsedFile):
            seen_rows, seen_files = seen_rows + out.n_rows, seen_files + 1
        fill()
        yield out


def _unchanged(name: str, force: str, month: date, known: dict, sha: str) -> FileResult | None:
    """The log's figures if this force-month was loaded from identical bytes, else None."""
    old = known.get((force, month))
    if old is None or old.sha256 != sha:
        return None
    return FileResult(name, force, f"{month:%Y-%m}", "unchanged", old.rows_loaded,
                      old.rows_no_location, old.rows_rejected)


def _parse_one(src: SourceFile, known: dict) -> ParsedFile | FileResult:
    try:
        data, sha = read_source(src)
        m = STREET_NAME.search(src.base_name)
        if m and m.group("month")[5:7] in _MONTHS:
            month = date(int(m.group("month")[:4]), int(m.group("month")[5:7]), 1)
            same = _unchanged(src.name, m.group("force").lower(), month, known, sha)
            if same:
                return same  # identical bytes already loaded: no need to parse again
        parsed = parse_street_file(src, data, sha)
    except IngestError as exc:
        return FileResult(src.name, "", "", "refused", error=str(exc))
    return _unchanged(src.name, parsed.force, parsed.month, known, sha) or parsed


def _result(p: ParsedFile, status: str) -> FileResult:
    return FileResult(p.file_name, p.force, f"{p.month:%Y-%m}", status, p.n_rows,
                      p.n_no_location, len(p.rejects), note="; ".join(p.notes))


class _Chunk:
    """One chunk's transaction, open while its files arrive.

    Files are loaded STAGE_ROWS rows at a time as they arrive; `commit` loads the rest and
    adds the log, the area assignments, the cube and the version. If the database refuses anything, the transaction is rolled back
    and the files are loaded one a transaction, so one file's failure costs only that file.
    """

    def __init__(self, engine: Engine, cache: dict, stored: set) -> None:
        self.engine, self.cache, self.stored = engine, cache, stored
        self.files: list[ParsedFile] = []
        self.rows = 0
        self._waiting: list[ParsedFile] = []
        self._latest: dict = {}  # (force, month) -> the file whose rows the transaction holds
        self._replaced: set = set()
        self._conn: Connection | None = None
        self._error: SQLAlchemyError | None = None

    def add(self, p: ParsedFile) -> None:
        self.files.append(p)
        self.rows += p.n_rows
        self._waiting.append(p)
        if sum(w.n_rows for w in self._waiting) >= STAGE_ROWS:
            self._stage()

    def _stage(self) -> None:
        if self._error is not None or not self._waiting:
            return
        group, self._waiting = self._waiting, []
        try:
            conn = self._conn or self._begin()
            latest = {}
            for p in group:
                key = (p.force, p.month)
                if key in self._latest:  # a later copy in this call: it wins, as across calls
                    conn.execute(delete(crimes).where(crimes.c.force == p.force,
                                                      crimes.c.month == p.month))
                    del self._latest[key]
                latest[key] = p
            self._replaced |= _remove(conn, [k for k in latest
                                             if k in self.stored and k not in self._replaced])
            # One Arrow chunk per file (see policeuk._arrow_csv): DuckDB scans a table of many
            # small chunks several times slower, and re-chunking it costs as much again.
            bulk_insert(conn, crimes, pa.concat_tables([p.rows for p in latest.values()]),
                        analyze=False)  # once, before the cube (in _finish)
            self._latest.update(latest)
        except SQLAlchemyError as exc:
            self._error = exc

    def _begin(self) -> Connection:
        self._conn = conn = self.engine.connect()
        conn.begin()
        if conn.dialect.name == "postgresql":
            # The cube's group-bys over a chunk's months: in memory, not in spilled batches;
            # JIT compiling costs more than it saves on queries this short.
            conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
            conn.exec_driver_sql("SET LOCAL jit = off")
        return conn

    def commit(self) -> list[FileResult]:
        self._stage()
        if self._error is None:
            try:
                return self._finish()
            except SQLAlchemyError as exc:
                self._error = exc
        self.abandon()
        self.cache.clear()  # assignments made in the rolled-back transaction are gone
        if len(self.files) == 1:
            p = self.files[0]
            reason = str(getattr(self._error, "orig", self._error)).strip().splitlines()[0]
            return [FileResult(p.file_name, p.force, f"{p.month:%Y-%m}", "refused",
                               error=f"{p.file_name}: the database refused the file ({reason}); "
                               "nothing from it was loaded")]
        latest = {(p.force, p.month): p for p in self.files}
        return [r for p in self.files for r in (
            _one_file(self.engine, p, self.cache, self.stored)
            if latest[(p.force, p.month)] is p else [_result(p, "superseded")])]

    def abandon(self) -> None:
        """Roll back and let the connection go, if still open (committed chunks are closed)."""
        if self._conn is not None and not self._conn.closed:
            self._conn.rollback()
            self._conn.close()

    def _finish(self) -> list[FileResult]:
        conn, latest = self._conn, self._latest
        rej = [{"source": POLICE, "force": p.force, "month": p.month, "file_name": p.file_name, **r}
               for p in latest.values() for r in p.rejects.to_dict("records")]
        if rej:
            conn.execute(insert(rejects), rej)
        now = datetime.now(UTC).replace(tzinfo=None)
        conn.execute(insert(ingest_files), [dict(
            source=POLICE, force=p.force, month=p.month, file_name=p.file_name, sha256=p.sha256,
            rows_loaded=p.n_rows, rows_no_location=p.n_no_location, rows_rejected=len(p.rejects),
            loaded_at=now) for p in latest.values()])
        if sum(p.n_rows for p in latest.values()) >= ANALYZE_ROWS:
            analyze_table(conn, crimes, [p.month for p in latest.values()])
        keys = [distinct_keys(p.rows.column("location_key")) for p in latest.values()]
        assign_new_locations(conn, np.concatenate(keys), self.cache)
        rebuild_cube(conn, months=[p.month for p in latest.values()])
        bump(conn)
        conn.commit()
        conn.close()
        self.stored.update(latest)
        results = [_result(p, "superseded") for p in self.files if latest[(p.force, p.month)] is not p]
        return results + [_result(p, "replaced" if key in self._replaced else "loaded")
                          for key, p in latest.items()]


def _one_file(engine: Engine, p: ParsedFile, cache: dict, stored: set) -> list[FileResult]:
    chunk = _Chunk(engine, cache, stored)
    chunk.add(p)
    return chunk.commit()


def _remove(conn: Connection, keys: list[tuple[str, date]]) -> set[tuple[str, date]]:
    """Delete these force-months' rows, rejects and log entries; return those that had any.

    One statement a table for the whole chunk: crimes has no index, so each statement scans
    the months' partitions once (docs/architecture.md, "Ingest pipeline")."""
    if not keys:
        return set()

    def match(force_col, month_col, found):
        return and_(month_col.in_(sorted({m for _, m in found})),
                    or_(*[and_(force_col == fo, month_col == m) for fo, m in sorted(found)]))

    f = ingest_files.c
    found = {(r.force, r.month) for r in conn.execute(
        select(f.force, f.month).where(f.source == POLICE, match(f.force, f.month, keys)))}
    if not found:
        return found
    conn.execute(delete(crimes).where(match(crimes.c.force, crimes.c.month, found)))
    conn.execute(delete(rejects).where(rejects.c.source == POLICE,
                                       match(rejects.c.force, rejects.c.month, found)))
    conn.execute(delete(ingest_files).where(f.source == POLICE, match(f.force, f.month, found)))
    return found
