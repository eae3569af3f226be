"""Parse and validate one police.uk street-crime CSV into accepted rows and rejects.

Structural faults (wrong header, encoding, a malformed row) refuse the whole file. Row-level
faults (a bad month, impossible coordinates, an unknown category) send that row to the rejects.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from csp_dash.db.locations import location_keys
from csp_dash.ingest import limits
from csp_dash.ingest.checks import field_faults, force_fault, swapped_note
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.sources import STREET_NAME, SourceFile
from csp_dash.vocab import POLICE_CATEGORIES

COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
    "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]
_TARGET = {
    "Crime ID": "crime_id", "Reported by": "reported_by", "Falls within": "falls_within",
    "Location": "location", "LSOA code": "lsoa_code", "LSOA name": "lsoa_name",
    "Crime type": "category", "Last outcome category": "outcome", "Context": "context",
}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
BOM = b"\xef\xbb\xbf"


@dataclass
class ParsedFile:
    file_name: str
    force: str
    month: date
    sha256: str
    rows: pa.Table  # accepted rows, columns named as the crimes table
    rejects: pd.DataFrame  # row_no, reason, raw
    n_no_location: int
    notes: list[str] = field(default_factory=list)  # suspicious but valid: loaded, and said

    @property
    def n_rows(self) -> int:
        return self.rows.num_rows


def read_source(src: SourceFile) -> tuple[bytes, str]:
    """The file's bytes and their sha256: enough to skip a file already loaded unchanged."""
    data = src.read()
    return data, hashlib.sha256(data).hexdigest()


def parse_street_file(src: SourceFile, data: bytes | None = None, sha: str | None = None) -> ParsedFile:
    """Read, check and split one file. Raises IngestError when the file must be refused whole."""
    if data is None or sha is None:
        data, sha = read_source(src)
    name = src.name
    if not data[:65536].strip() and not data.strip():
        raise IngestError(name, "the file is empty")
    if data.startswith(BOM):
        data = data[len(BOM):]  # Excel adds a BOM on save; it is harmless, so accept it.
    limits.sniff(name, data)  # UTF-16, gzip, a workbook: say so, not "looks Latin-1"
    limits.check_nul(name, data)
    limits.check_lines(name, data)
    _check_utf8(name, data)
    _check_header(name, data)
    table = _read_table(name, data)
    if table.num_rows == 0:
        raise IngestError(name, "the file has a header but no rows")
    force, month = _force_and_month(src, table)
    return _validate(name, sha, force, month, table, data)


def _check_utf8(name: str, data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start:exc.start + 1].hex().upper()
        raise IngestError(
            name,
            f"is not UTF-8 (byte 0x{byte} cannot be decoded); it looks Latin-1/Windows-1252 "
            "encoded. police.uk files are UTF-8: re-save the file as UTF-8 and load it again",
            row=line - 1 if line > 1 else None,
        ) from None


def _check_header(name: str, data: bytes) -> None:
    first = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    try:
        header = next(csv.reader([first]), [])
    except csv.Error as exc:  # e.g. a lone carriage return inside the header line
        raise IngestError(name, f"the header row is not valid CSV ({exc})") from None
    missing = [c for c in COLUMNS if c not in header]
    if not missing:
        return
    if len(header) == 1 and first.count(";") >= len(COLUMNS) - 1:
        raise IngestError(name, "uses ';' as the delimiter; police.uk files are comma-separated")
    if len(header) == 1 and first.count("\t") >= len(COLUMNS) - 1:
        raise IngestError(name, "uses tabs as the delimiter; police.uk files are comma-separated")
    raise IngestError(name, f"wrong header: missing column(s) {', '.join(missing)}")


def _read_table(name: str, data: bytes) -> pa.Table:
    """Fast path: coordinates straight to float, empty text to null, all in Arrow's C++ reader.

    A non-numeric coordinate or a malformed row makes the fast path fail; the slow path then
    reads every column as text, so the fault can be named row by row.
    """
    types = {c: pa.string() for c in COLUMNS} | {"Longitude": pa.float64(), "Latitude": pa.float64()}
    try:
        return _arrow_csv(data, types)
    except pa.ArrowInvalid:
        pass
    try:
        return _arrow_csv(data, {c: pa.string() for c in COLUMNS})
    except pa.ArrowInvalid:
        _raise_row_error(name, data)
        raise


def _arrow_csv(data: bytes, types: dict) -> pa.Table:
    return pacsv.read_csv(
        io.BytesIO(data),
        # One block per file (a monthly file is a few MB): fewer, larger chunks load faster.
        # A single block gains nothing from Arrow's threads, which only contend with the
        # ingest's own parsing threads: measured half the CPU without them.
        read_options=pacsv.ReadOptions(block_size=max(len(data) + 1, 1 << 20), use_threads=False),
        convert_options=pacsv.ConvertOptions(
            column_types=types, include_columns=COLUMNS, strings_can_be_null=True,
            null_values=[""], quoted_strings_can_be_null=True),
    )


_UNCLOSED = 'a quote (") opened in this row is never closed, so the rest of the file reads as one field'


def _raise_row_error(name: str, data: bytes) -> None:
    """The fast reader failed: find the exact row with the slow one, to name it."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    i = 0
    try:
        width = len(next(reader, []))
        for i, row in enumerate(reader, start=1):
            if not row or len(row) == width:
                continue
            if any("\n" in c for c in row) and next(reader, None) is None:
                raise IngestError(name, _UNCLOSED, row=i)  # a quote open to the end of the file
            raise IngestError(name, f"has {len(row)} fields where the header has {width} "
                              "(a truncated or malformed row)", row=i)
    except csv.Error as exc:
        # The error surfaces where reading stopped, but the fault is in the row being read
        # (an unclosed quote swallows every later line): name that row, not the last line.
        problem = _UNCLOSED if "field limit" in str(exc) else f"malformed CSV ({exc})"
        raise IngestError(name, problem, row=i + 1 if reader.line_num > 1 else None) from None
    raise IngestError(name, "the CSV reader could not split the file into rows")


def _force_and_month(src: SourceFile, table: pa.Table) -> tuple[str, date]:
    m = STREET_NAME.search(src.base_name)
    if m:
        month_text, force = m.group("month"), m.group("force").lower()
    else:
        # Not police.uk's file name: take the force and month the rows themselves give.
        df = table.select(["Month", "Falls within"]).to_pandas()
        good = df["Month"][df["Month"].str.match(_MONTH)]
        if good.empty:
            raise IngestError(src.name, "no row has a month in YYYY-MM form")
        month_text = good.mode().iloc[0]
        within = df["Falls within"].dropna()
        force = re.sub(r"[^a-z0-9]+", "-", within.mode().iloc[0].lower()).strip("-") if len(
            within) else ""
        force = force.removesuffix("-police").removesuffix("-constabulary") or "unknown"
    if not _MONTH.match(month_text):
        raise IngestError(src.name, f"the file name's month {month_text} is not a real month")
    force_fault(src.name, force)
    return force, date(int(month_text[:4]), int(month_text[5:7]), 1)


def _coordinate(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(values as float, NaN where empty or not a number; mask of cells with any text)."""
    given = col.is_valid().to_numpy(zero_copy_only=False)
    if pa.types.is_floating(col.type):
        return col.to_numpy().astype(float), given
    # Slow path: some text is not a number. Convert forgivingly; the reject names the value.
    values = pd.to_numeric(col.to_pandas().str.strip(), errors="coerce").to_numpy(dtype=float)
    return values, given


def _validate(name: str, sha: str, force: str, month: date, t: pa.Table, data: bytes) -> ParsedFile:
    n = t.num_rows
    month_text = f"{month:%Y-%m}"
    lon, lon_given = _coordinate(t["Longitude"])
    lat, lat_given = _coordinate(t["Latitude"])
    month_bad = pc.fill_null(pc.not_equal(t["Month"], month_text), True).to_numpy(zero_copy_only=False)
    cat_bad = pc.invert(pc.is_in(t["Crime type"], pa.array(sorted(POLICE_CATEGORIES)))
                        ).to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        coord_bad = ((np.isnan(lon) & lon_given) | (np.isnan(lat) & lat_given)
                     | (lon_given != lat_given) | (np.abs(lat) > 90) | (np.abs(lon) > 180))
    other_bad = month_bad | cat_bad | coord_bad
    field_bad, field_reason = field_faults(t, COLUMNS, data)
    bad = other_bad | field_bad
    row_no = np.arange(1, n + 1, dtype=np.int32)
    # Rejects quote the cells as written, so re-read the text (rare: only when some row is bad).
    text = t if not bad.any() or _all_text(t) else _arrow_csv(data, {c: pa.string() for c in COLUMNS})
    rejects = _NO_REJECTS.copy() if not bad.any() else _rejects(
        text.filter(pa.array(bad)), row_no[bad], month_text,
        np.where(other_bad, "", field_reason)[bad])
    keep = ~bad
    if not keep.any():
        raise IngestError(name, f"every row was rejected (row 1: {rejects['reason'].iloc[0]}); "
                          "nothing was loaded")
    rows = _accepted_rows(t.filter(pa.array(keep)), lon[keep], lat[keep], row_no[keep], force, month)
    notes = [n for n in [swapped_note(lon[keep], lat[keep], row_no[keep])] if n]
    return ParsedFile(name, force, month, sha, rows, rejects, int(np.isnan(lon[keep]).sum()), notes)


def _all_text(t: pa.Table) -> bool:
    return all(pa.types.is_string(f.type) for f in t.schema)


def _text(v) -> str:
    return "" if v is None else (f"{v:g}" if isinstance(v, float) else str(v).strip())


def _reason(r: dict, month_text: str) -> str:
    """The first problem of a rejected row, in words."""
    m, lon_t, lat_t = _text(r["Month"]), _text(r["Longitude"]), _text(r["Latitude"])
    if not _MONTH.match(m):
        return f"Month '{m}' is not YYYY-MM"
    if m != month_text:
        return f"Month {m} does not match the file's month {month_text}"
    lon = pd.to_numeric(lon_t or "nan", errors="coerce")
    lat = pd.to_numeric(lat_t or "nan", errors="coerce")
    if (lon_t and np.isnan(lon)) or (lat_t and np.isnan(lat)):
        return "Longitude/Latitude is not a number"
    if bool(lon_t) != bool(lat_t):
        return "only one of Longitude and Latitude is given"
    if abs(lat) > 90:
        return f"Latitude {lat_t} is outside -90..90"
    if abs(lon) > 180:
        return f"Longitude {lon_t} is outside -180..180"
    return f"unknown Crime type '{_text(r['Crime type'])}'"


# Most files have none: copying an empty frame costs a fraction of building one.
_NO_REJECTS = pd.DataFrame({"row_no": np.empty(0, np.int32), "reason": np.empty(0, object),
                            "raw": np.empty(0, object)})


def _rejects(bad: pa.Table, row_no: np.ndarray, month_text: str, field_reason: np.ndarray,
             ) -> pd.DataFrame:
    records = bad.to_pylist()
    return pd.DataFrame({
        "row_no": row_no,
        "reason": [f or _reason(r, month_text) for r, f in zip(records, field_reason, strict=True)],
        "raw": [json.dumps(r, ensure_ascii=False) for r in records],
    })


def _accepted_rows(t: pa.Table, lon: np.ndarray, lat: np.ndarray, row_no: np.ndarray,
                   force: str, month: date) -> pa.Table:
    n = t.num_rows
    cols: dict[str, pa.Array] = {
        "force": pa.repeat(pa.scalar(force, pa.string()), n),
        "month": pa.repeat(pa.scalar(month, pa.date32()), n),
        "row_no": pa.array(row_no, pa.int32()),
        "longitude": pa.array(lon, pa.float64(), from_pandas=True),
        "latitude": pa.array(lat, pa.float64(), from_pandas=True),
        "location_key": pa.array(location_keys(lon, lat), pa.int64()),
    }
    for src, dst in _TARGET.items():
        cols[dst] = t[src]  # empty text already arrived as NULL, so both engines agree
    return pa.table(cols)
