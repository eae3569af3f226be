"""Generators of broken and hostile files of the kinds partnerships receive (issue 12)."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pandas as pd

from tests.policeuk_files import crime, csv_bytes, month_rows, street_name, write_raw

FEB = street_name("2018-02")
GIB = 1 << 30


def utf16(d: Path) -> tuple[Path, str]:
    p = write_raw(d, FEB, csv_bytes(month_rows("2018-02", 2)).decode().encode("utf-16"))
    return p, f"{p}: the file is UTF-16: save it as UTF-8 (in Excel: CSV UTF-8) and load it again"


def utf16_no_bom(d: Path) -> tuple[Path, str]:
    p = write_raw(d, FEB, csv_bytes(month_rows("2018-02", 2)).decode().encode("utf-16-le"))
    return p, f"{p}: the file is UTF-16: save it as UTF-8 (in Excel: CSV UTF-8) and load it again"


def gzipped(d: Path) -> tuple[Path, str]:
    p = write_raw(d, FEB, gzip.compress(csv_bytes(month_rows("2018-02", 2))))
    return p, f"{p}: the file is gzip compressed: decompress it and load the CSV inside"


def xlsx_renamed(d: Path) -> tuple[Path, str]:
    buf = io.BytesIO()
    pd.DataFrame(month_rows("2018-02", 2)).to_excel(buf, index=False)
    p = write_raw(d, FEB, buf.getvalue())
    return p, (f"{p}: this is an Excel workbook (XLSX), not a CSV: save it as CSV UTF-8, or load "
               "a zip under a .zip name")


def nul_in_row(d: Path) -> tuple[Path, str]:
    data = csv_bytes(month_rows("2018-02", 3)).replace(b"essex-2018-02-1", b"essex-\x002018-02-1")
    p = write_raw(d, FEB, data)
    return p, f"{p}, row 2 (line 3): holds a NUL byte (0x00): the file is damaged or not a CSV"


def unclosed_quote(d: Path, pad: int = 0) -> tuple[Path, str]:
    """1346 rows, a quote opened and never closed in row 701 (the issue's file)."""
    rows = month_rows("2018-02", 1346)
    for r in rows:
        r["Location"] += " " * pad
    rows[700]["Location"] = '"On or near Station Road'
    data = csv_bytes(rows).replace(b'"""On or near Station Road"', b'"On or near Station Road')
    p = write_raw(d, FEB, data)
    return p, (f'{p}, row 701 (line 702): a quote (") opened in this row is never closed, so '
               "the rest of the file reads as one field")


def unclosed_quote_long(d: Path) -> tuple[Path, str]:
    """The same with longer rows: the rest of the file passes Python's 128 KB field limit,
    which is where the old message blamed the last row."""
    return unclosed_quote(d, pad=200)


def long_force_name(d: Path) -> tuple[Path, str]:
    """A file not named as police.uk names them: the force comes from Falls within."""
    force = "Greater Northshire, Southshire, Eastshire and Westshire Constabulary of the Realm"
    rows = [crime("2018-02", force=force, crime_id=f"x{i}") for i in range(2)]
    p = write_raw(d, "february.csv", csv_bytes(rows))
    slug = "greater-northshire-southshire-eastshire-and-westshire-constabulary-of-the-realm"
    return p, f"{p}: the force name '{slug[:20]}...' is {len(slug)} characters long; the limit is 64"


def too_big(d: Path) -> tuple[Path, str]:
    """Over CSP_DASH_MAX_FILE_MB (the test sets it to 0.01 MB)."""
    p = write_raw(d, FEB, csv_bytes(month_rows("2018-02", 100)))
    mb = p.stat().st_size / (1 << 20)
    return p, f"{p}: the file is {mb:,.1f} MB; the limit is 0.01 MB (setting CSP_DASH_MAX_FILE_MB)"


def giant_row(d: Path) -> tuple[Path, str]:
    """A 3 MB Location (the issue's was 200 MB): refused before the CSV reader builds it."""
    rows = month_rows("2018-02", 3)
    rows[1]["Location"] = "x" * (3 << 20)
    p = write_raw(d, FEB, csv_bytes(rows))
    return p, (f"{p}, row 2 (line 3): the row is 3.0 MB long; a police.uk row is a few hundred "
               "bytes: the file is damaged or not a police.uk file")


CORPUS = {
    "utf16": utf16, "utf16_no_bom": utf16_no_bom, "gzipped": gzipped, "xlsx_renamed": xlsx_renamed,
    "nul_in_row": nul_in_row, "unclosed_quote": unclosed_quote,
    "unclosed_quote_long": unclosed_quote_long, "long_force_name": long_force_name,
    "too_big": too_big, "giant_row": giant_row,
}


def zip_bomb(path: Path, size: int = GIB) -> Path:
    """A police.uk-named member of `size` zero bytes: about 1 MB compressed per GiB."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open(f"2018-02/{FEB}", "w", force_zip64=True) as fh:
            block = bytes(1 << 24)
            for _ in range(size // len(block)):
                fh.write(block)
    return path


def encrypted_zip(path: Path) -> Path:
    """A zip whose member is flagged password-protected. Python cannot write real encryption,
    so the flag bit is set in the local and central headers: it is what every reader goes by."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"2018-02/{FEB}", csv_bytes(month_rows("2018-02", 2)))
    data = bytearray(buf.getvalue())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature) + offset
        data[at] |= 0x1
    path.write_bytes(bytes(data))
    return path
