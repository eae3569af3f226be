"""Safe CSV and XLSX exports and server-side chart images.

CSV/formula injection (OWASP): a spreadsheet treats a cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula. Partner data and estate names are
free text, so every exported string that begins with one of those characters gets a
leading single quote, which shows the text as typed and keeps it inert even if the file is
re-saved as CSV. Numbers are written as numbers and left alone (a negative count is a
number, not a formula); only strings are changed, so the string "-1+1" is neutralised.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import vl_convert as vlc
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

__all__ = [
    "FORMULA_PREFIXES",
    "chart_png",
    "chart_svg",
    "neutralise_cell",
    "to_csv_bytes",
    "to_xlsx_bytes",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Prefix a string that a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?%?")


def display_safe(value: Any) -> Any:
    """``neutralise_cell`` for tables drawn on a page: a signed number such as "-3" or
    "+1.5%" is not a formula and keeps its look; anything else starting like one is quoted."""
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        return value
    return neutralise_cell(value)


def _stamp_line(line: str) -> str:
    """A stamp is one comment line starting with '#'; newlines would break the file."""
    text = " ".join(str(line).splitlines()).strip()
    return text if text.startswith("#") else f"# {text}"


def _flat(label: Any) -> str:
    if isinstance(label, tuple):
        return " / ".join(str(x) for x in label if str(x) != "")
    return str(label)


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    """The table as written: a meaningful index becomes columns; header labels are text."""
    out = df.copy()
    if not (isinstance(out.index, pd.RangeIndex) and out.index.name is None):
        out = out.reset_index()
    out.columns = [_flat(c) for c in out.columns]
    if len(set(out.columns)) != len(out.columns):
        raise ValueError("column names must be unique")
    return out


def _text_columns(df: pd.DataFrame) -> list[str]:
    return [
        c
        for c in df.columns
        if not (
            pd.api.types.is_numeric_dtype(df[c])
            or pd.api.types.is_bool_dtype(df[c])
            or pd.api.types.is_datetime64_any_dtype(df[c])
            or pd.api.types.is_timedelta64_dtype(df[c])
        )
    ]


def to_csv_bytes(df: pd.DataFrame, *, stamp: Sequence[str] | None = None) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel reads the encoding right), cells neutralised.

    Each ``stamp`` line (e.g. "Not for public circulation") is written first as one
    '#'-prefixed field; read the file back with ``pd.read_csv(..., skiprows=len(stamp))``.
    """
    frame = _frame(df)
    for col in _text_columns(frame):
        frame[col] = frame[col].astype(object).map(neutralise_cell)
    frame.columns = [neutralise_cell(c) for c in frame.columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for line in stamp or []:
        writer.writerow([_stamp_line(line)])  # quoted if it has a comma: stays one cell
    frame.to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")


def _xlsx_value(value: Any) -> Any:
    """A value openpyxl can store: numbers stay numeric, text is cleaned and neutralised."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else (float(value) if math.isfinite(value) else str(value))
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value  # Excel has no time zones
    if isinstance(value, dt.date | dt.time):
        return value
    # Periods (months), text and anything else are written as text.
    return neutralise_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _safe_sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(name)).strip("'")
    return (cleaned or "Data")[:31]


def to_xlsx_bytes(
    df: pd.DataFrame, *, sheet: str = "Data", stamp: Sequence[str] | None = None
) -> bytes:
    """An XLSX workbook: stamp lines first, then a bold header row, then the data.

    Text cells are neutralised and always stored as text, never as formulas; numbers
    remain numeric cells.
    """
    frame = _frame(df)
    wb = Workbook()
    ws = wb.active
    ws.title = _safe_sheet_name(sheet)
    for line in stamp or []:
        ws.append([_xlsx_value(_stamp_line(line))])
    ws.append([_xlsx_value(c) for c in frame.columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False, name=None):
        ws.append([_xlsx_value(v) for v in row])
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # belt and braces: openpyxl reads a leading "=" as formula
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _vl_version() -> str | None:
    """The Vega-Lite version altair writes, if vl-convert bundles it (else its latest)."""
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vlc.get_vegalite_versions() else None


def chart_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """Render an altair chart to PNG on the server; data must be inline (no URLs fetched)."""
    return vlc.vegalite_to_png(
        chart.to_json(), vl_version=_vl_version(), scale=scale, allowed_base_urls=[]
    )


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """Render an altair chart to SVG text on the server; no URLs are fetched."""
    return vlc.vegalite_to_svg(chart.to_json(), vl_version=_vl_version(), allowed_base_urls=[])
