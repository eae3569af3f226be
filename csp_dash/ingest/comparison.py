"""Import a comparison table: England and Wales, force or peer figures to set local trends against.

The CSV has the columns ``area, period, category, count, population`` (names matched without
regard to case; population may be blank). ``category`` is a police.uk category. ``period`` is
a span of whole months, written as one of:

- a month: ``2025-03`` (or ``2025-03-01``);
- a financial year: ``2024/25`` (April 2024 to March 2025);
- a calendar year: ``2024``;
- a year ending: ``year ending Mar 2025`` (or ``YE March 2025``), the ONS style;
- an explicit span: ``2024-04 to 2025-03``.

A file replaces everything held for the areas it names, so reloading it is safe. A file is
refused whole, naming the row, where a value cannot be read or where two rows for the same
area and category overlap in time (monthly and annual rows together would double count).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine, delete

from csp_dash.db.bulk import bulk_insert
from csp_dash.db.schema_trends import comparison
from csp_dash.db.version import bump
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.guard import refuse_into_demo
from csp_dash.vocab import POLICE_CATEGORIES

REQUIRED = ("area", "period", "category", "count")
MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_FY_RE = re.compile(r"^(\d{4})\s*/\s*(\d{2}|\d{4})$")
_YEAR_RE = re.compile(r"^(\d{4})$")
_YE_RE = re.compile(r"^(?:year\s+ending|ye)\s+([a-z]+)\.?\s+(\d{4})$", re.IGNORECASE)
_SPAN_RE = re.compile(r"^(\S+)\s+(?:to|-|–)\s+(\S+)$", re.IGNORECASE)


@dataclass(frozen=True)
class ComparisonReport:
    """What one file loaded."""

    file_name: str
    rows: int
    areas: list[str]
    first_month: date
    last_month: date


def _add_months(d: date, n: int) -> date:
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def _month(text: str) -> date | None:
    m = _MONTH_RE.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return date(int(m.group(1)), int(m.group(2)), 1)


def parse_period(text: str) -> tuple[date, date]:
    """(first month, last month) of a period label; raises ValueError if it cannot be read."""
    text = " ".join(str(text).split())
    if (one := _month(text)) is not None:
        return one, one
    if m := _FY_RE.match(text):
        start = int(m.group(1))
        end = int(m.group(2))
        if end != (start + 1) % (100 if end < 100 else 10_000):
            raise ValueError(f"financial year '{text}' should run into the next year, e.g. 2024/25")
        return date(start, 4, 1), date(start + 1, 3, 1)
    if m := _YEAR_RE.match(text):
        return date(int(m.group(1)), 1, 1), date(int(m.group(1)), 12, 1)
    if m := _YE_RE.match(text):
        mon = MONTHS.get(m.group(1)[:3].lower())
        if mon is None:
            raise ValueError(f"unknown month in '{text}'")
        end = date(int(m.group(2)), mon, 1)
        return _add_months(end, -11), end
    if m := _SPAN_RE.match(text):
        first, last = _month(m.group(1)), _month(m.group(2))
        if first is None or last is None:
            raise ValueError(f"period '{text}' should be 'YYYY-MM to YYYY-MM'")
        if last < first:
            raise ValueError(f"period '{text}' ends before it starts")
        return first, last
    raise ValueError(
        f"period '{text}' is not a month (2025-03), financial year (2024/25), year (2024), "
        "'year ending Mar 2025' or 'YYYY-MM to YYYY-MM'"
    )


def _columns(df: pd.DataFrame, path: str) -> dict[str, str]:
    by_lower = {c.strip().lower(): c for c in df.columns}
    missing = [c for c in REQUIRED if c not in by_lower]
    if missing:
        raise IngestError(
            path,
            f"missing column(s) {', '.join(missing)}; a comparison table "
            "needs area, period, category, count and (optionally) population",
        )
    return {c: by_lower[c] for c in (*REQUIRED, "population") if c in by_lower}


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.str.replace(",", "", regex=False).str.strip(), errors="coerce")


def read_comparison(path: str | Path) -> pd.DataFrame:
    """Read and check a comparison CSV; returns area, period_label, period_start, period_end,
    category, count, population (one row per input row)."""
    path = Path(path)
    name = path.name
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise IngestError(name, f"cannot read the file as CSV ({exc})") from exc
    cols = _columns(raw, name)
    if raw.empty:
        raise IngestError(name, "the file has no rows")
    canon = {c.lower(): c for c in POLICE_CATEGORIES}
    out = pd.DataFrame(
        {"area": raw[cols["area"]].str.strip(), "period_label": raw[cols["period"]].str.strip()}
    )
    out["category"] = raw[cols["category"]].str.strip().str.lower().map(canon)
    out["count"] = _numbers(raw[cols["count"]])
    pop = raw[cols["population"]] if "population" in cols else pd.Series("", index=raw.index)
    out["population"] = _numbers(pop)
    for i in range(len(raw)):
        row = i + 1
        if not out.at[i, "area"]:
            raise IngestError(name, "the area is blank", row=row)
        if pd.isna(out.at[i, "category"]):
            raise IngestError(
                name, f"'{raw.at[i, cols['category']]}' is not a police.uk category", row=row
            )
        cnt = out.at[i, "count"]
        if pd.isna(cnt) or cnt < 0 or float(cnt) != int(cnt):
            raise IngestError(
                name,
                f"count '{raw.at[i, cols['count']]}' is not a whole number of 0 or more",
                row=row,
            )
        if pop.iat[i].strip() and not (out.at[i, "population"] > 0):
            raise IngestError(name, f"population '{pop.iat[i]}' is not a positive number", row=row)
    periods = {}
    for label in out["period_label"].unique():
        try:
            periods[label] = parse_period(label)
        except ValueError as exc:
            row = int(np.flatnonzero(out["period_label"].to_numpy() == label)[0]) + 1
            raise IngestError(name, str(exc), row=row) from exc
    out["period_start"] = out["period_label"].map(lambda p: periods[p][0])
    out["period_end"] = out["period_label"].map(lambda p: periods[p][1])
    out["count"] = out["count"].astype("int64")
    _check_overlaps(out, name)
    return out[
        ["area", "period_label", "period_start", "period_end", "category", "count", "population"]
    ]


def _check_overlaps(df: pd.DataFrame, name: str) -> None:
    """Refuse duplicate or overlapping periods for one area and category."""
    order = df.sort_values(["area", "category", "period_start", "period_end"], kind="stable")
    same = order["area"].eq(order["area"].shift()) & order["category"].eq(order["category"].shift())
    prev_end = order["period_end"].shift()
    clash = same & (order["period_start"] <= prev_end.where(same))
    if clash.any():
        pos = int(np.flatnonzero(clash.to_numpy())[0])
        a, b = sorted((int(order.index[pos - 1]), int(order.index[pos])))
        raise IngestError(
            name,
            f"{df.at[b, 'area']}, {df.at[b, 'category']}: period "
            f"'{df.at[b, 'period_label']}' overlaps '{df.at[a, 'period_label']}'"
            f" (row {a + 1}) for the same area and category",
            row=b + 1,
        )


def ingest_comparison(engine: Engine, path: str | Path) -> ComparisonReport:
    """Load a comparison CSV, replacing what is held for the areas it names."""
    path = Path(path)
    refuse_into_demo(engine, path)
    df = read_comparison(path)
    now = datetime.now(UTC).replace(tzinfo=None)
    table = pa.table(
        {
            "area": pa.array(df["area"], pa.string()),
            "period_start": pa.array(df["period_start"], pa.date32()),
            "period_end": pa.array(df["period_end"], pa.date32()),
            "category": pa.array(df["category"], pa.string()),
            "period_label": pa.array(df["period_label"], pa.string()),
            "count": pa.array(df["count"], pa.int64()),
            "population": pa.array(df["population"], pa.float64(), from_pandas=True),
            "source_file": pa.array([path.name] * len(df), pa.string()),
            "loaded_at": pa.array([now] * len(df), pa.timestamp("us")),
        }
    )
    areas = sorted(df["area"].unique())
    with engine.begin() as conn:
        conn.execute(delete(comparison).where(comparison.c.area.in_(areas)))
        bulk_insert(conn, comparison, table)
        bump(conn)
    return ComparisonReport(
        path.name, len(df), areas, min(df["period_start"]), max(df["period_end"])
    )
