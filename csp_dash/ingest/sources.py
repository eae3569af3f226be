"""Find police.uk files among paths: single CSVs, folders of them, or police.uk's zip archive."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from csp_dash.ingest import limits
from csp_dash.ingest.errors import IngestError

STREET_NAME = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-street\.csv$", re.I)
# police.uk archives also carry these; they are a later feature and are skipped, not refused.
OTHER_POLICE_FILES = re.compile(r"-(outcomes|stop-and-search)\.csv$", re.I)


@dataclass(frozen=True)
class SourceFile:
    """One CSV to ingest, however it arrived."""

    name: str  # shown in messages: the path, or "archive.zip:2018-01/2018-01-essex-street.csv"
    read: Callable[[], bytes]

    @property
    def base_name(self) -> str:
        return self.name.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


@dataclass
class Discovery:
    files: list[SourceFile]
    skipped: list[str]


def discover(paths: Iterable[str | Path]) -> Discovery:
    """Expand paths into street-crime CSVs. Refuses a zip that holds anything but CSVs."""
    found = Discovery([], [])
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() == ".zip":
                    _add_zip(f, found)
                elif f.is_file() and STREET_NAME.search(f.name):
                    _add(found, SourceFile(str(f), partial(limits.read_file, f)))
                elif f.is_file():
                    found.skipped.append(str(f))  # a folder may hold other files: skip them
        elif p.suffix.lower() == ".zip":
            _add_zip(p, found)
        elif p.exists():
            _add(found, SourceFile(str(p), partial(limits.read_file, p)))
        else:
            raise IngestError(str(p), "no such file or folder")
    return found


def _add(found: Discovery, f: SourceFile) -> None:
    if OTHER_POLICE_FILES.search(f.base_name):
        found.skipped.append(f.name)
    else:
        found.files.append(f)


def _add_zip(path: Path, found: Discovery) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise IngestError(str(path), f"not a readable zip archive ({exc})") from exc
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
    # Only police.uk's own layout: a stray file or a path like ../../x.csv is named and refused.
    bad = [m.filename for m in members if not limits.MEMBER_NAME.match(m.filename)]
    if bad:
        raise IngestError(
            str(path),
            f"the archive holds {len(bad)} file(s) that are not police.uk CSVs "
            f"({', '.join(sorted(bad)[:5])}); nothing was loaded",
        )
    if not members:
        raise IngestError(str(path), "the archive is empty")
    for m in members:
        limits.check_member(str(path), m)  # before anything is read: size, ratio, password
    for m in sorted(members, key=lambda m: m.filename):
        _add(found, SourceFile(f"{path}:{m.filename}", partial(limits.read_member, path, m.filename)))
