"""Read a partner CSV or XLSX into a table of cells, refusing files that cannot be read whole."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from csp_dash.ingest import limits
from csp_dash.ingest.errors import IngestError

BOM = b"\xef\xbb\xbf"
BLANK_LINE = re.compile(rb"\n[ \t\r]*\n\s*\S")  # a blank line with rows after it
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class PartnerFile:
    """A partner file's cells (strings, or datetimes from spreadsheet date cells) and its hash."""

    name: str
    sha256: str
    cells: pd.DataFrame  # one column per file column, object dtype, "" where empty;
    # indexed by row number: 1 = the first row under the header (line or spreadsheet row 2)
    typed: bool = False  # True when cells may hold datetimes (XLSX), False: text only (CSV)

    @property
    def n_rows(self) -> int:
        return len(self.cells)


def read_partner_file(
    path: str | Path,
    data: bytes | None = None,
    name: str | None = None,
) -> PartnerFile:
    """Read CSV (UTF-8, comma-separated) or XLSX (first sheet; header in the first row)."""
    path = Path(path)
    name = name or str(path)
    if data is None:
        if not path.exists():
            raise IngestError(name, "no such file")
        data = limits.read_file(path)  # refused before reading if over the size limit
    if not data.strip():
        raise IngestError(name, "the file is empty")
    sha = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    typed = suffix in (".xlsx", ".xlsm") or data.startswith(XLSX_MAGIC)
    if typed:
        cells = _read_xlsx(name, data)
    elif suffix in (".csv", ".txt", ""):
        cells = _read_csv(name, data)
    else:
        raise IngestError(name, f"is a {suffix} file; partner data must be CSV or XLSX")
    if cells.columns.duplicated().any():
        dup = sorted(set(cells.columns[cells.columns.duplicated()]))
        raise IngestError(name, f"the header repeats column(s) {', '.join(dup)}")
    if cells.empty:
        raise IngestError(name, "the file has a header but no rows")
    return PartnerFile(name, sha, cells, typed)


def _read_csv(name: str, data: bytes) -> pd.DataFrame:
    if data.startswith(BOM):
        data = data[len(BOM) :]  # Excel writes a BOM on "CSV UTF-8" save: harmless
    limits.sniff(name, data)  # UTF-16 or gzip: say so, not a decoding error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise IngestError(
            name,
            f"is not UTF-8 (byte 0x{data[exc.start : exc.start + 1].hex().upper()} cannot be "
            "decoded); re-save it as CSV UTF-8 and load it again",
            row=line - 1 if line > 1 else None,
        ) from None
    fast = _read_csv_fast(text, data)
    if fast is not None:
        return fast
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise IngestError(name, f"malformed CSV ({exc}); is the file truncated?") from None
    header = [c.strip() for c in rows[0]]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "';'" if ";" in header[0] else "tabs"
        raise IngestError(name, f"uses {sep} as the delimiter; save it as comma-separated CSV")
    body, index = [], []
    for i, r in enumerate(rows[1:], start=1):
        if not any(c.strip() for c in r):
            continue  # a blank line carries nothing; row numbers still count it
        if len(r) != len(header):
            raise IngestError(
                name,
                f"has {len(r)} fields where the header has {len(header)} "
                "(a truncated or malformed row)",
                row=i,
            )
        body.append(r)
        index.append(i)
    return pd.DataFrame(body, columns=header, index=pd.Index(index, name="row_no"), dtype=object)


def _read_csv_fast(text: str, data: bytes) -> pd.DataFrame | None:
    """Arrow's reader for a well-formed file; None sends it to the slow reader, which names
    the faulty row exactly (and keeps row numbers right across blank lines)."""
    if BLANK_LINE.search(data):
        return None
    header = [c.strip() for c in next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])]
    if len(set(header)) != len(header) or len(header) < 2:
        return None
    try:
        t = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    df = pd.DataFrame(
        {c: t.column(c).to_numpy(zero_copy_only=False) for c in header},
        index=pd.RangeIndex(1, t.num_rows + 1, name="row_no"),
        dtype=object,
    )
    blank = (df.apply(lambda col: col.str.strip()) == "").all(axis=1)
    return df[~blank]


def _cell(v: object) -> object:
    """Spreadsheet cell -> text, keeping real date cells as datetimes."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, datetime | date | pd.Timestamp):
        return pd.Timestamp(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _read_xlsx(name: str, data: bytes) -> pd.DataFrame:
    limits.check_workbook(name, data)
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
        raw = book.parse(sheet_name=0, header=None, dtype=object)
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise IngestError(name, f"is not a readable XLSX workbook ({exc})") from None
    sheet, others = book.sheet_names[0], ", ".join(f"'{s}'" for s in book.sheet_names[1:])
    also = f" (the workbook's other sheets: {others})" if others else ""
    if raw.empty or raw.iloc[0].isna().all():
        raise IngestError(name, f"the first sheet '{sheet}' has no header in its first row{also}")
    if raw.iloc[0].notna().sum() < 2:
        raise IngestError(name, f"the first sheet '{sheet}' has no table: its first row holds one "
                          f"heading, not column names. Move the data sheet first{also}")
    header = [str(_cell(v)) for v in raw.iloc[0]]
    body = raw.iloc[1:].dropna(how="all")  # blank spreadsheet rows carry nothing
    body = body.map(_cell) if len(body) else body
    body.columns = header
    keep = [c for c in header if c]  # unnamed trailing columns are spreadsheet noise
    body = body[keep].astype(object)
    body.index = pd.Index(body.index.astype(int), name="row_no")  # sheet row 2 -> row 1
    return body
