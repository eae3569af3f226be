"""fetch_police: gather a period's files by archive and/or API, then ingest them in one go.

Everything is downloaded and written to a staging folder first; only when every month is in
hand does the normal ingest (csp_dash.ingest.police.ingest_police) load them, so a failed or
cancelled fetch loads nothing, and each force-month is then loaded whole or refused whole.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from csp_dash import config
from csp_dash.fetch import api, archive
from csp_dash.fetch.district import DistrictSpec
from csp_dash.fetch.errors import FetchError, NotPublished
from csp_dash.fetch.http import Client
from csp_dash.ingest.police import IngestReport, ingest_police

ROUTES = ("auto", "archive", "api")
API_FOLDER = "police-uk-api"  # in a loaded file's name, marks a month fetched by the API
Progress = Callable[[int, int, str], None]


@dataclass
class FetchReport:
    months: list[str]
    archive_months: list[str] = field(default_factory=list)
    api_months: list[str] = field(default_factory=list)
    forces: list[str] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ingest: IngestReport | None = None
    requests: int = 0

    def summary(self) -> str:
        ing = self.ingest or IngestReport()
        changed = [f for f in ing.files if f.status in ("loaded", "replaced")]
        parts = [f"{len(self.months)} month(s) {self.months[0]} to {self.months[-1]}"
                 if self.months else "no months"]
        if self.archive_months:
            parts.append(f"archive: {len(self.archive_months)}")
        if self.api_months:
            parts.append(f"API: {len(self.api_months)}")
        parts.append(f"forces: {', '.join(self.forces) or 'none'}")
        parts.append(f"files loaded {len(changed)}, unchanged "
                     f"{sum(f.status == 'unchanged' for f in ing.files)}, refused {len(ing.refused)}")
        parts.append(f"rows {ing.total('rows'):,}")
        return "; ".join(parts)


def month_range(start: str, end: str) -> list[str]:
    """Every YYYY-MM from start to end inclusive."""
    a, b = parse_month(start), parse_month(end)
    if a > b:
        raise FetchError(f"--from {start} is after --to {end}")
    out, y, m = [], a.year, a.month
    while (y, m) <= (b.year, b.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def parse_month(text: str) -> date:
    try:
        y, m = (int(x) for x in text.strip().split("-")[:2])
        return date(y, m, 1)
    except ValueError:
        raise FetchError(f"'{text}' is not a month (YYYY-MM)") from None


def fetch_police(engine: Engine, spec: DistrictSpec, months: list[str], route: str = "auto",
                 client: Client | None = None, cache_dir: Path | None = None,
                 progress: Progress | None = None) -> FetchReport:
    """Fetch the months for the district and ingest them. Raises FetchError before loading."""
    if route not in ROUTES:
        raise FetchError(f"route must be one of {', '.join(ROUTES)}, not '{route}'")
    client = client or Client()
    cache_dir = Path(cache_dir or config.get("police_cache_dir"))
    report = FetchReport(sorted(set(months)))
    step = _Steps(progress, len(report.months) + 1)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix="staging-") as tmp:
        staged: list[Path] = []
        api_months = list(report.months) if route == "api" else []
        if route != "api":
            staged += _by_archive(client, spec, report, cache_dir, Path(tmp) / "archive", step)
            if route == "auto":
                api_months = [m for m in report.months if m not in report.archive_months]
            elif len(report.archive_months) < len(report.months):
                gone = [m for m in report.months if m not in report.archive_months]
                raise FetchError(f"no police.uk archive holds {', '.join(gone)} (not published "
                                 "yet?); nothing was loaded. Try --route api or auto")
        if api_months:
            staged += _by_api(client, engine, spec, api_months, report, Path(tmp) / API_FOLDER, step)
        client.check_cancel()
        step.show("Loading the files")
        report.ingest = ingest_police(engine, staged, progress=None)
    report.requests = client.requests_made
    step.done()
    return report


class _Steps:
    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.n = progress, total, 0

    def show(self, message: str) -> None:
        if self.progress:
            self.progress(min(self.n, self.total - 1), self.total, message)

    def advance(self, k: int = 1) -> None:
        self.n += k

    def done(self) -> None:
        if self.progress:
            self.progress(self.total, self.total, "Done")


def _by_archive(client: Client, spec: DistrictSpec, report: FetchReport, cache_dir: Path,
                out: Path, step: _Steps) -> list[Path]:
    """Newest wanted month first: its archive also holds the ~35 months before it."""
    remaining = set(report.months)
    staged: list[Path] = []
    while remaining:
        target = max(remaining)
        step.show(f"Archive {target}.zip")
        try:
            path = (archive.cached_archive(cache_dir, target)
                    or archive.download_archive(client, target, cache_dir, step.show))
        except NotPublished:
            remaining.discard(target)
            report.notes.append(f"{target}: no archive published yet")
            continue
        members = archive.archive_members(path)
        got = sorted(remaining & set(members))
        if target not in members:
            raise FetchError(f"{path}: the archive for {target} holds no {target}/ folder "
                             f"(it holds {min(members)} to {max(members)}); unexpected layout")
        forces = archive.district_forces(path, members, got, spec)
        if not forces:
            raise FetchError(f"{path}: no force's files fall in the district {spec.label}; "
                             "is the district right (or --force misspelt)?")
        names = [members[m][f] for m in got for f in forces if f in members[m]]
        staged += archive.extract(path, names, out)
        report.archives.append(path.name)
        report.archive_months += got
        report.forces = sorted(set(report.forces) | set(forces))
        # Months older than the archive reaches stay wanted; months inside it but absent are gaps.
        gaps = {m for m in remaining if m >= min(members) and m not in members}
        for m in sorted(gaps):
            report.notes.append(f"{m}: not in {path.name}")
        remaining -= set(got) | gaps
        step.advance(len(got))
    report.archive_months.sort()
    return staged


def _by_api(client: Client, engine: Engine, spec: DistrictSpec, months: list[str],
            report: FetchReport, out: Path, step: _Steps) -> list[Path]:
    force = api.force_of(client, spec)
    staged = []
    for m in months:
        step.show(f"API {m}")
        got = api.fetch_api_month(client, engine, spec, m, force, out)
        staged.append(got.path)
        report.api_months.append(m)
        note = (f"{m}: {got.rows - got.no_location} located crimes by the API, LSOA assigned "
                f"from the loaded 'lsoa' layer (the API gives none)")
        if got.lsoa_missing:
            note += f"; {got.lsoa_missing} in no loaded LSOA (LSOA left empty)"
        report.notes.append(note + f"; {got.no_location} without location for {force}")
        step.advance()
    report.forces = sorted(set(report.forces) | {force})
    return staged
