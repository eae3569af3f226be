"""police.uk monthly archives: resumable, checksummed downloads and the district's force files.

An archive YYYY-MM.zip holds a YYYY-MM/ folder for each of about the last 36 months, each with
YYYY-MM-<force>-street.csv (and outcomes, stop-and-search) for every force.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import requests

from csp_dash.fetch.district import DistrictSpec
from csp_dash.fetch.errors import FetchError
from csp_dash.fetch.http import Client

MEMBER = re.compile(r"^(?P<folder>\d{4}-\d{2})/(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-"
                    r"(?P<kind>street|outcomes|stop-and-search)\.csv$")
CHUNK = 1 << 20


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def download_archive(client: Client, name: str, cache_dir: Path,
                     progress: Callable[[str], None] | None = None) -> Path:
    """The archive `name` (YYYY-MM) on disk, downloaded once.

    A cut-short download stays as NAME.zip.part and the next call asks only for the rest
    (HTTP Range). A finished archive is checked as a zip and its sha256 kept beside it; a
    cached archive whose bytes no longer match is downloaded again.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / f"{name}.zip"
    sums = cache_dir / f"{name}.zip.sha256"
    if final.exists() and sums.exists() and sums.read_text().strip() == _sha256(final):
        return final
    final.unlink(missing_ok=True)
    part = cache_dir / f"{name}.zip.part"
    url = f"{client.archive_url}/{name}.zip"
    offset = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    resp = client.request("GET", url, ok_statuses=(200, 206, 416), headers=headers, stream=True)
    if resp.status_code == 416:  # nothing left to send: the part is already whole
        resp.close()
    else:
        _stream(client, resp, part, offset if resp.status_code == 206 else 0, url, progress)
    try:
        with zipfile.ZipFile(part) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        part.unlink(missing_ok=True)
        raise FetchError(f"{url}: the download is not a readable zip ({exc}); the copy was "
                         "deleted, run again to download it afresh") from None
    if bad is not None:
        part.unlink(missing_ok=True)
        raise FetchError(f"{url}: {bad} in the zip is corrupt; the copy was deleted, run again")
    part.replace(final)
    sums.write_text(_sha256(final) + "\n")
    return final


def cached_archive(cache_dir: Path, month: str) -> Path | None:
    """A whole archive already on disk that holds the month (a later one holds 36 months)."""
    for path in sorted(cache_dir.glob("????-??.zip")):
        sums = path.with_name(path.name + ".sha256")
        if path.stem >= month and sums.exists():
            try:
                if month in archive_members(path):
                    return path
            except FetchError:
                continue
    return None


def _stream(client: Client, resp: requests.Response, part: Path, offset: int, url: str,
            progress: Callable[[str], None] | None) -> None:
    size = resp.headers.get("Content-Length")
    total = offset + int(size) if size and size.isdigit() else None
    got = offset
    try:
        with resp, part.open("ab" if offset else "wb") as fh:
            for block in resp.iter_content(CHUNK):
                client.check_cancel()
                fh.write(block)
                got += len(block)
                if progress:
                    shown = f" of {total / 1e6:.1f}" if total else ""
                    progress(f"Downloading {url.rsplit('/', 1)[-1]}: {got / 1e6:.1f}{shown} MB")
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise FetchError(f"{url}: the download was cut short after {got:,} bytes ({exc}); run "
                         "again to resume it") from None
    if total is not None and got < total:
        raise FetchError(f"{url}: the download was cut short after {got:,} of {total:,} bytes; "
                         "run again to resume it")


def archive_members(path: Path) -> dict[str, dict[str, str]]:
    """{month: {force: member name}} of the archive's street files; refuses a strange layout."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [m.filename for m in zf.infolist() if not m.is_dir()]
    except zipfile.BadZipFile as exc:
        raise FetchError(f"{path}: not a readable zip ({exc})") from None
    out: dict[str, dict[str, str]] = {}
    for n in names:
        m = MEMBER.match(n)
        if not m or m.group("folder") != m.group("month"):
            raise FetchError(f"{path}: unexpected layout: '{n}' is not "
                             "YYYY-MM/YYYY-MM-<force>-street|outcomes|stop-and-search.csv; "
                             "is this a police.uk archive?")
        if m.group("kind") == "street":
            out.setdefault(m.group("month"), {})[m.group("force")] = n
    if not out:
        raise FetchError(f"{path}: holds no street-crime files")
    return out


def file_in_district(data: bytes, spec: DistrictSpec) -> bool:
    """Any row's LSOA code in the district's codes, or any point in its polygon."""
    try:
        t = pacsv.read_csv(io.BytesIO(data), convert_options=pacsv.ConvertOptions(
            include_columns=["LSOA code", "Longitude", "Latitude"],
            column_types={"LSOA code": pa.string(), "Longitude": pa.string(),
                          "Latitude": pa.string()}))
    except (pa.ArrowInvalid, KeyError):
        return True  # cannot tell: let the ingest look at it and name the fault
    if spec.lsoa_codes and pc.any(pc.is_in(t["LSOA code"], pa.array(sorted(spec.lsoa_codes)))).as_py():
        return True
    lon = pd.to_numeric(t["Longitude"].to_pandas(), errors="coerce").to_numpy(float)
    lat = pd.to_numeric(t["Latitude"].to_pandas(), errors="coerce").to_numpy(float)
    return bool(spec.contains(lon, lat).any())


def district_forces(path: Path, members: dict[str, dict[str, str]], months: Iterable[str],
                    spec: DistrictSpec) -> list[str]:
    """Forces whose files fall in the district, judged on the newest wanted month's file.

    Forces do not move, so one file a force decides (reading every month of every force of a
    36-month archive would take minutes).
    """
    months = sorted(set(months) & set(members), reverse=True)
    forces = sorted({f for m in months for f in members[m]})
    if spec.force:
        forces = [f for f in forces if f == spec.force]
        if spec.polygon is None and spec.lsoa_codes is None:
            return forces
    chosen = []
    with zipfile.ZipFile(path) as zf:
        for force in forces:
            newest = next(m for m in months if force in members[m])
            if file_in_district(zf.read(members[newest][force]), spec):
                chosen.append(force)
    return chosen


def extract(path: Path, names: list[str], out_dir: Path) -> list[Path]:
    """Write the named members into out_dir under their own file names."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        with zipfile.ZipFile(path) as zf:
            for n in names:
                target = out_dir / n.rsplit("/", 1)[-1]
                target.write_bytes(zf.read(n))
                written.append(target)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FetchError(f"{path}: cannot extract ({exc})") from None
    return written
