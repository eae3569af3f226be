"""Safe CSV and XLSX exports and server-side chart images.

CSV/formula injection (OWASP): a spreadsheet treats a cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula. Partner data and estate names are
free text, so every exported string that begins with one of those characters gets a
leading single quote, which shows the text as typed and keeps it inert even if the file is
re-saved as CSV. Numbers are written as numbers and left alone (a negative count is a
number, not a formula); only strings are changed, so the string "-1+1" is neutralised.

Numbers are rounded as the page shows them and stay numbers (docs/methods.md, "Exported
numbers"): ``number_style`` is the one rule, from the page's own column format where it has
one, else from the column's name. XLSX cells carry the matching number format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # imported where a chart is rendered: table exports need no Altair
    import altair as alt

# openpyxl and vl_convert are imported where a file is made: a page imports this module for
# display_safe, and its first load must not wait for them (docs/architecture.md, "Performance").

__all__ = [
    "FORMULA_PREFIXES",
    "NumberStyle",
    "header_words",
    "in_words",
    "chart_png",
    "chart_svg",
    "markdown_text",
    "neutralise_cell",
    "number_style",
    "prepare",
    "sheet_name",
    "split_hidden",
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
    positions = out.index.name is None and pd.api.types.is_integer_dtype(out.index)
    if not (isinstance(out.index, pd.RangeIndex) and out.index.name is None) and not positions:
        out = out.reset_index()  # row positions (a sorted table's) are not written
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


@dataclass(frozen=True)
class NumberStyle:
    """How a numeric column is rounded and shown: ``decimals`` places; ``fraction`` for a
    0-1 share the page shows as a percentage; ``signed`` for a change shown with its sign."""

    decimals: int
    fraction: bool = False
    signed: bool = False

    @property
    def excel(self) -> str:
        body = "#,##0" + ("." + "0" * self.decimals if self.decimals else "")
        if self.fraction:
            body = "0" + ("." + "0" * (self.decimals - 2) if self.decimals > 2 else "") + "%"
        return f"+{body};-{body};{body}" if self.signed else body


_PRINTF = re.compile(r"%(?P<sign>\+)?,?(?:\.(?P<dp>\d+))?(?P<kind>[dfi])(?P<pct>%%)?$")
_D3 = re.compile(r"^(?P<sign>\+)?,?(?:\.(?P<dp>\d+))?(?P<kind>[df%])$")


def style_from_format(fmt: str | None) -> NumberStyle | None:
    """The style of a Streamlit NumberColumn format ("%+.1f%%", ",.2f", ".1%", "percent",
    "%d"); None where the format says nothing about decimals ("localized", "%g")."""
    if not fmt:
        return None
    if fmt == "percent":
        return NumberStyle(2 + 2, fraction=True)
    m = _PRINTF.search(fmt) or _D3.match(fmt)
    if not m:
        return None
    dp = int(m["dp"]) if m["dp"] is not None else (0 if m["kind"] in "di" else 6)
    if m["kind"] == "%":  # d3: a fraction times 100
        return NumberStyle(dp + 2, fraction=True, signed=bool(m["sign"]))
    return NumberStyle(0 if m["kind"] in "di" else dp, signed=bool(m["sign"]))


def _whole(values: pd.Series) -> bool:
    v = values.dropna().to_numpy(dtype=float)
    return bool(np.all(np.isfinite(v) & (v == np.round(v))))


def number_style(name: str, values: pd.Series) -> NumberStyle:
    """Decimals for a numeric column from its name (the partnership's words): z scores 2,
    p-values 3, percentages 1, residents 0, whole numbers (counts) 0, shares 1 (3 for a
    0-1 fraction), rates and other measures 2. Changes keep their sign. docs/methods.md,
    "Exported numbers", lists the rule."""
    n = f" {name.lower()} "
    signed = "change" in n
    if re.search(r"\bz\b|z-score|z score", n):
        return NumberStyle(2, signed=True)
    if re.match(r" p[ (]", n):  # a p-value: 0.001 must not read as 0
        return NumberStyle(3)
    if "%" in n or "percent" in n or " pct" in n:
        return NumberStyle(1, signed=signed)
    if ("resident" in n or "population" in n) and "per " not in n and "rate" not in n:
        return NumberStyle(0)
    if _whole(values):
        return NumberStyle(0, signed=signed)
    if "share" in n and values.abs().max() <= 1:
        return NumberStyle(3)
    if "share" in n:
        return NumberStyle(1)
    return NumberStyle(2, signed=signed)


def _numeric_objects(s: pd.Series) -> bool:
    """An object column holding only numbers and blanks (e.g. a column built row by row)."""
    vals = [v for v in s if not (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)))]
    return bool(vals) and all(
        isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
        for v in vals
    )


def prepare(
    df: pd.DataFrame, formats: Mapping[str, str | None] | None = None, *, rounded: bool = True
) -> tuple[pd.DataFrame, dict[str, NumberStyle]]:
    """The table as exported: numbers rounded by ``number_style`` (or the page's own format
    in ``formats``, column -> NumberColumn format), whole numbers as integers, blanks empty,
    times to the second. ``rounded=False`` keeps every digit (a data file read back in)."""
    frame = _frame(df)
    styles: dict[str, NumberStyle] = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s) and s.notna().any():
            frame[col] = s.dt.floor("s")
            continue
        if not rounded:
            continue
        if s.dtype == object and _numeric_objects(s):
            s = pd.to_numeric(s, errors="coerce")
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        style = style_from_format((formats or {}).get(col)) or number_style(col, s)
        s = s.astype(float).replace([np.inf, -np.inf], np.nan).round(style.decimals) + 0.0
        frame[col] = s.astype("Int64") if style.decimals == 0 else s  # + 0.0: no "-0.0"
        styles[col] = style
    return frame, styles


_HEADER_WORDS = {
    "ucl": "Upper limit", "lcl": "Lower limit", "mr": "Moving range", "lo80": "Lower 80%",
    "hi80": "Upper 80%", "lo95": "Lower 95%", "hi95": "Upper 95%", "p": "p", "z": "z",
    "css_weight": "ONS CSS weight", "cchi_days": "CCHI days", "event_id": "Event number",
    "run_side": "Run on one side", "run_trend": "Run up or down",
    "two_of_three": "Two of three near a limit", "count_share": "Count share %",
    "harm_share": "Harm share %", "count_rank": "Rank by count", "harm_rank": "Rank by harm",
    "mean": "Mean", "month": "Month", "code": "Code", "area": "Area",
}
_CODE_NAME = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
_ACRONYMS = re.compile(r"\b(lsoa|msoa|imd|asb|da|h3|ons|id)(s?)\b")  # "lsoa_code" -> "LSOA code"


def header_words(name: Any) -> Any:
    """A column's name in words: a code name ("count_share", "ucl") becomes the words a
    partner reads ("Count share %", "Upper limit"); names already in words are kept."""
    if not isinstance(name, str) or not _CODE_NAME.fullmatch(name):
        return name
    if name in _HEADER_WORDS:
        return _HEADER_WORDS[name]
    words = _ACRONYMS.sub(lambda m: m[1].upper() + m[2], name.replace("_", " "))
    return words[:1].upper() + words[1:]


def in_words(df: pd.DataFrame) -> pd.DataFrame:
    """A table for a partner: code-name headers in words (``header_words``), yes/no for
    true/false. Applied to every table a page offers for download (ui/downloads.py)."""
    out = _frame(df)
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "yes", False: "no"})
    names = [header_words(c) for c in out.columns]
    if len(set(names)) == len(names):
        out.columns = names
    return out


def to_csv_bytes(
    df: pd.DataFrame,
    *,
    stamp: Sequence[str] | None = None,
    formats: Mapping[str, str | None] | None = None,
    rounded: bool = True,
) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel reads the encoding right), cells neutralised,
    numbers rounded as shown (``prepare``); a missing value is an empty field.

    Each ``stamp`` line (e.g. "Not for public circulation") is written first as one
    '#'-prefixed field; read the file back with ``pd.read_csv(..., skiprows=len(stamp))``.
    """
    frame, _ = prepare(df, formats, rounded=rounded)
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
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return neutralise_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
SHEET_MAX = 31  # Excel's limit on a sheet name


def sheet_name(name: str, taken: Sequence[str] = ()) -> str:
    """A readable Excel sheet name: illegal characters ([]:*?/\\) and underscores become
    spaces, words are kept whole (cut at the last word that fits 31 characters), and a name
    already in ``taken`` (any case) gets " (2)", " (3)"... "Appendix: by estate and
    category, all months" -> "Appendix by estate and category"."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", str(name)).replace("_", " ")
    words = " ".join(_SHEET_ILLEGAL.sub(" ", text).split())
    words = words.strip("'").strip() or "Data"
    words = words[:1].upper() + words[1:]  # a sheet tab reads like a heading
    if words.lower() == "history":  # reserved by Excel
        words = "History table"

    def fit(text: str, room: int) -> str:
        if len(text) <= room:
            return text
        head = text[:room]
        if text[room] not in " ,;.-" and " " in head:
            head = head.rsplit(" ", 1)[0]  # keep the last word whole
        return head.rstrip(" ,;-.'") or text[:room]

    base = fit(words, SHEET_MAX)
    used = {t.lower() for t in taken}
    out, n = base, 1
    while out.lower() in used:
        n += 1
        suffix = f" ({n})"
        out = fit(words, SHEET_MAX - len(suffix)) + suffix
    return out


def _width(value: Any, style: NumberStyle | None) -> int:
    if value is None:
        return 0
    if style is not None and isinstance(value, int | float):
        return len(f"{value:+,.{style.decimals}f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def to_xlsx_bytes(
    df: pd.DataFrame,
    *,
    sheet: str = "Data",
    stamp: Sequence[str] | None = None,
    formats: Mapping[str, str | None] | None = None,
    rounded: bool = True,
) -> bytes:
    """An XLSX workbook: stamp lines first, then a bold header row, then the data.

    Text cells are neutralised and always stored as text, never as formulas; numbers
    remain numeric cells, rounded as shown and with a number format (``prepare``); each
    column is as wide as its longest value (up to 60 characters); the sheet has a readable
    name (``sheet_name``).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    frame, styles = prepare(df, formats, rounded=rounded)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(sheet)
    for line in stamp or []:
        ws.append([_xlsx_value(_stamp_line(line))])
    ws.append([_xlsx_value(c) for c in frame.columns])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False, name=None):
        ws.append([_xlsx_value(v) for v in row])
    col_styles = [styles.get(c) for c in frame.columns]
    widest = [0] * len(col_styles)
    for r, row in enumerate(ws.iter_rows(), start=1):
        for i, cell in enumerate(row):
            value = cell.value
            if isinstance(value, str):
                cell.data_type = "s"  # belt and braces: openpyxl reads a leading "=" as formula
            if r < header_row or i >= len(col_styles):
                continue  # stamp lines spill over; they do not widen a column
            style = col_styles[i] if r > header_row else None
            if style is not None and value is not None:
                cell.number_format = style.excel
            widest[i] = max(widest[i], _width(value, style))
    for i, w in enumerate(widest, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _as_number(value: Any) -> Any:
    """A number shown as text ("1,234", "12.5%") as a number; anything else unchanged."""
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
        return float(value.strip().rstrip("%").replace(",", ""))
    return value


def split_hidden(view: pd.DataFrame, label: str, flag: str = "Hidden") -> pd.DataFrame:
    """A published table as numbers: each cell shown as ``label`` (a hidden small count or a
    figure protecting one) becomes an empty cell, numbers shown as text ("1,234", "12.5%")
    become numbers (a percentage column's name gains " %"), and a ``flag`` column names the
    row's hidden columns after the label, so a spreadsheet can add the visible cells.
    Nothing is added that the published table does not show. The first column (the row
    labels) is left as it is."""
    out = view.copy()
    first, *cols = list(out.columns)
    hidden = pd.DataFrame(False, index=out.index, columns=cols)
    renames = {}
    for col in cols:
        text = out[col].astype(object)
        hidden[col] = text.map(lambda v: isinstance(v, str) and v.strip() == label)
        if not all(isinstance(_as_number(v), float) for v in text[~hidden[col]] if isinstance(v, str)):
            continue  # a text column stays text
        values = pd.to_numeric(text.where(~hidden[col]).map(_as_number), errors="coerce")
        out[col] = values.astype("Int64") if _whole(values) else values
        if "%" not in str(col) and any(isinstance(v, str) and v.strip().endswith("%") for v in text):
            renames[col] = f"{col} %"
    out[flag] = [
        f"{label}: " + ", ".join(str(c) for c in cols if hidden.at[i, c])
        if hidden.loc[i].any() else ""
        for i in out.index
    ]
    return out.rename(columns=renames)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])")


def markdown_text(value: Any) -> str:
    """Text for a Markdown file, shown as typed: one line, Markdown syntax (emphasis, links,
    images, HTML tags, table pipes, headings, list markers) backslash-escaped; an ampersand
    only where it would start an entity. Blank for a missing value."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = " ".join(str(value).split())
    text = _MD_ENTITY.sub(r"\\&", _MD_SPECIAL.sub(r"\\\1", text))
    return _MD_LINE_START.sub(lambda m: m[1] + "\\" + m[2] if not m[2][0].isdigit()
                              else m[1] + m[2][:-1] + "\\" + m[2][-1], text)


def _vl_version() -> str | None:
    """The Vega-Lite version altair writes, if vl-convert bundles it (else its latest)."""
    import altair as alt
    import vl_convert as vlc

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vlc.get_vegalite_versions() else None


def chart_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """Render an altair chart to PNG on the server; data must be inline (no URLs fetched)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(
        chart.to_json(), vl_version=_vl_version(), scale=scale, allowed_base_urls=[]
    )


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """Render an altair chart to SVG text on the server; no URLs are fetched."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_json(), vl_version=_vl_version(), allowed_base_urls=[])
