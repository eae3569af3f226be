"""Hostile partner files (issue 12), on both engines: refused with the sheet or encoding named,
before a workbook is inflated, the database unchanged."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.partner.load import ingest_partner
from tests.partner_fixtures import HEADER, SECRET, load_boundaries, mapping, row, write_csv
from tests.policeuk_files import db_snapshot


@pytest.fixture
def db(engine, tmp_path: Path):
    load_boundaries(engine, tmp_path / "bounds")
    ingest_partner(engine, write_csv(tmp_path / "ok.csv", [row("05/01/2024")]), "police_da",
                   mapping(), secret=SECRET)
    return engine


def _refused(engine, path: Path) -> str:
    before = db_snapshot(engine)
    with pytest.raises(IngestError) as exc:
        ingest_partner(engine, path, "police_da", mapping(), secret=SECRET)
    assert db_snapshot(engine) == before
    return str(exc.value)


def _workbook(path: Path, sheets: dict[str, pd.DataFrame], header: bool = True) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False, header=header)
    return path


def test_a_cover_page_first_is_named_with_the_other_sheets(db, tmp_path: Path):
    cover = pd.DataFrame([["Partner data return, January 2024"], ["Prepared by the CSP"]])
    data = pd.DataFrame([row("05/01/2024")], columns=HEADER)
    p = _workbook(tmp_path / "return.xlsx", {"Cover": cover, "Data": data}, header=False)
    assert _refused(db, p) == (
        f"{p}: the first sheet 'Cover' has no table: its first row holds one heading, not column "
        "names. Move the data sheet first (the workbook's other sheets: 'Data')")


def test_a_workbook_bomb_is_refused_before_it_is_inflated(db, tmp_path: Path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", bytes(200 << 20))
    p = tmp_path / "bomb.xlsx"
    p.write_bytes(buf.getvalue())
    assert _refused(db, p) == (
        f"{p}: the workbook's part xl/worksheets/sheet1.xml inflates "
        f"{(200 << 20) / zipfile.ZipFile(p).getinfo('xl/worksheets/sheet1.xml').compress_size:,.0f}"
        " times (a zip bomb?); the limit is 100 times")


def test_an_encrypted_workbook(db, tmp_path: Path):
    p = tmp_path / "locked.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # the OLE container header
    assert _refused(db, p) == (
        f"{p}: the workbook is password-protected or in the old Excel 97-2003 format: remove "
        "the password and save it as .xlsx (or as CSV UTF-8)")


def test_a_utf16_csv_is_named_utf16(db, tmp_path: Path):
    p = write_csv(tmp_path / "u.csv", [row("05/01/2024")])
    p.write_bytes(p.read_text().encode("utf-16"))
    assert _refused(db, p) == (
        f"{p}: the file is UTF-16: save it as UTF-8 (in Excel: CSV UTF-8) and load it again")
