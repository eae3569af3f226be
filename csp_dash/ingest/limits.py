"""Input limits and file-type sniffing, applied before a file is read into memory.

Sizes are checked from the file system or the zip directory first, then enforced again while
reading (a zip's stated sizes can lie), so no input costs more than about one limit of memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from csp_dash import config
from csp_dash.ingest.errors import IngestError

MB = 1 << 20
_CHUNK = 1 << 20
# police.uk's archive layout: an optional YYYY-MM/ folder, then YYYY-MM-<force>-<kind>.csv.
MEMBER_NAME = re.compile(
    r"^(?:\d{4}-\d{2}/)?\d{4}-\d{2}-[a-z0-9-]+-(?:street|outcomes|stop-and-search)\.csv$", re.I)


def max_file_bytes() -> int:
    return int(float(config.get("max_file_mb")) * MB)


def max_zip_ratio() -> float:
    return float(config.get("max_zip_ratio"))


def max_field_chars() -> int:
    return int(config.get("max_field_chars"))


def _too_big(name: str, size: int | None = None) -> IngestError:
    limit = config.get("max_file_mb")
    what = f"is {size / MB:,.1f} MB" if size is not None else "is larger than the limit"
    return IngestError(name, f"the file {what}; the limit is {limit} MB (setting CSP_DASH_MAX_FILE_MB)")


def read_file(path: Path) -> bytes:
    """A file's bytes, refused before reading if it is over the size limit."""
    size = path.stat().st_size
    if size > max_file_bytes():
        raise _too_big(str(path), size)
    return path.read_bytes()


def check_member(archive: str, info: zipfile.ZipInfo) -> None:
    """Refuse a member from the zip directory alone: encrypted, too large, or a zip bomb."""
    name = f"{archive}:{info.filename}"
    if info.flag_bits & 0x1:
        raise IngestError(name, "the member is password-protected; extract it with the password "
                          "and load the CSV itself")
    if info.file_size > max_file_bytes():
        raise _too_big(name, info.file_size)
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > MB and ratio > max_zip_ratio():
        raise IngestError(name, f"the member inflates {ratio:,.0f} times (a zip bomb?); the limit "
                          f"is {max_zip_ratio():g} times (setting CSP_DASH_MAX_ZIP_RATIO)")


def read_member(archive: Path, member: str) -> bytes:
    """Stream a member out of its zip, stopping as soon as it passes the size limit."""
    limit = max_file_bytes()
    name = f"{archive}:{member}"
    try:
        with zipfile.ZipFile(archive) as zf:
            info = zf.getinfo(member)
            check_member(str(archive), info)
            parts, total = [], 0
            with zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise _too_big(name)
                    parts.append(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, OSError, EOFError) as exc:
        raise IngestError(name, f"cannot be read from the archive ({exc})") from None
    return b"".join(parts)


def sniff(name: str, data: bytes) -> None:
    """Name a file that is not a text CSV at all, before any decoding error could mislead."""
    head = data[:8]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data[:4096]):
        raise IngestError(name, "the file is UTF-16: save it as UTF-8 (in Excel: CSV UTF-8) "
                          "and load it again")
    if head.startswith(b"\x1f\x8b"):
        raise IngestError(name, "the file is gzip compressed: decompress it and load the CSV inside")
    if head.startswith(b"PK\x03\x04"):
        kind = "an Excel workbook (XLSX)" if b"xl/" in data[:65536] else "a zip archive"
        raise IngestError(name, f"this is {kind}, not a CSV: save it as CSV UTF-8, or load a "
                          "zip under a .zip name")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(name, "this is an Excel 97-2003 workbook (XLS), not a CSV: save it as "
                          "CSV UTF-8")
    if head.startswith(b"%PDF"):
        raise IngestError(name, "this is a PDF document, not a CSV")


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 text without a BOM: every other byte of ASCII text is zero."""
    if len(sample) < 16:
        return False
    return sample[1::2].count(0) > len(sample) * 0.4 or sample[0::2].count(0) > len(sample) * 0.4


def check_nul(name: str, data: bytes) -> None:
    """A NUL byte is never text: refuse the file at its row (both engines then agree)."""
    at = data.find(b"\x00")
    if at >= 0:
        line = data.count(b"\n", 0, at)
        raise IngestError(name, "holds a NUL byte (0x00): the file is damaged or not a CSV",
                          row=line if line else None)


def check_workbook(name: str, data: bytes) -> None:
    """An XLSX is a zip: refuse a bomb, or an encrypted workbook, before a reader inflates it."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(name, "the workbook is password-protected or in the old Excel 97-2003 "
                          "format: remove the password and save it as .xlsx (or as CSV UTF-8)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        return  # the workbook reader names this fault itself
    total = sum(i.file_size for i in infos)
    # Spreadsheet XML inflates several times more than CSV text: allow four files' worth.
    if total > 4 * max_file_bytes():
        raise IngestError(name, f"the workbook inflates to {total / MB:,.0f} MB; the limit is "
                          f"{4 * max_file_bytes() / MB:,.0f} MB (four times CSP_DASH_MAX_FILE_MB)")
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > MB and ratio > max_zip_ratio():
            raise IngestError(name, f"the workbook's part {i.filename} inflates {ratio:,.0f} times "
                              f"(a zip bomb?); the limit is {max_zip_ratio():g} times")


MAX_LINE_BYTES = 1 * MB  # a police.uk row is a few hundred bytes


def check_lines(name: str, data: bytes) -> None:
    """Refuse a giant line before the CSV reader builds it into a giant field."""
    import numpy as np  # here: limits is imported by light modules too

    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
    bounds = np.concatenate(([-1], ends, [len(data)]))
    lengths = np.diff(bounds) - 1
    i = int(np.argmax(lengths))
    if lengths[i] > MAX_LINE_BYTES:
        what = "the row" if i else "the header line"
        raise IngestError(name, f"{what} is {lengths[i] / MB:,.1f} MB long; a police.uk row is a "
                          "few hundred bytes: the file is damaged or not a police.uk file",
                          row=i if i else None)
