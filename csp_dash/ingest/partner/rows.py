"""Check partner rows against their mapping: accepted records (key pseudonymised) and rejects.

A file that cannot match its mapping is refused whole (a mapped column is missing, or no
date is in the mapped format). Otherwise each faulty row goes to the rejects with its row
number and the first problem found, in the order date, category, location, flags.

Location, per row, in this order: latitude/longitude (rounded to the mapping's decimals
before anything is derived from it: a location key, the LSOA by point-in-polygon unless an
LSOA code is also given, and every polygon layer); else the LSOA code; else the estate name
(matched to the estate layer by name or code, ignoring case and spacing). A row with none is
kept and counted as "no location".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from csp_dash.db.locations import location_keys
from csp_dash.ingest.assign import assign_keys
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.partner.mapping import PartnerMapping
from csp_dash.ingest.partner.read import PartnerFile

LSOA_PATTERN = re.compile(r"^[EW]01\d{6}$")
YES = {"y", "yes", "true", "t", "1", "x"}
NO = {"", "n", "no", "false", "f", "0"}


@dataclass
class Lookups:
    """What the database already knows: LSOA codes, estates, and the LSOA polygons."""

    lsoa_codes: frozenset[str] = frozenset()
    estates: dict[str, str] = field(default_factory=dict)  # normalised name or code -> code
    lsoa_polygons: gpd.GeoDataFrame | None = None


@dataclass
class ParsedRows:
    rows: pa.Table  # columns named as partner_records (no dataset or file_id)
    rejects: pd.DataFrame  # row_no, reason, raw
    n_no_location: int

    @property
    def months(self) -> tuple[date, date] | None:
        if self.rows.num_rows == 0:
            return None
        m = self.rows.column("month").to_pandas()
        return m.min(), m.max()


def normalise_name(text: str) -> str:
    return " ".join(str(text).casefold().split())


def pseudonymise(keys: pd.Series, secret: str) -> pd.Series:
    """HMAC-SHA256 of each key (trimmed, upper-cased, so ' v12' and 'V12' match); None if empty.

    Each distinct key is hashed once (victims recur), with hmac.digest's one-shot C path.
    """
    secret_b = secret.encode()
    norm = keys.astype(str).str.strip().str.upper()
    digests = {
        k: hmac.digest(secret_b, k.encode(), hashlib.sha256).hex() if k else None
        for k in norm.unique()
    }
    return norm.map(digests)


def check_secret_given(name: str, m: PartnerMapping, secret: str) -> None:
    """A keyed dataset is refused without a secret: the key must never be stored raw."""
    if m.key_column and not secret:
        raise IngestError(
            name,
            "the mapping has a victim/case key column but no pseudonym "
            "secret is configured: set CSP_DASH_PSEUDONYM_SECRET (or "
            "pseudonym_secret in .streamlit/secrets.toml) and load it again",
        )


def _check_columns(f: PartnerFile, m: PartnerMapping) -> None:
    missing = [f"'{c}' ({role})" for c, role in m.columns.items() if c not in f.cells.columns]
    if missing:
        raise IngestError(
            f.name,
            f"missing mapped column(s) {', '.join(missing)}; "
            f"the file's columns are: {', '.join(map(str, f.cells.columns))}",
        )


def _dates(f: PartnerFile, m: PartnerMapping) -> tuple[pd.Series, pd.Series]:
    """(parsed dates, reason per row or "")."""
    raw = f.cells[m.date_column]
    if f.typed:
        is_cell_date = raw.map(lambda v: isinstance(v, pd.Timestamp)).astype(bool)
    else:
        is_cell_date = pd.Series(False, index=raw.index)
    text = raw.where(~is_cell_date, "").astype(str).str.strip()
    parsed = pd.to_datetime(text.where(text != ""), format=m.strftime, errors="coerce")
    parsed = parsed.where(~is_cell_date, pd.to_datetime(raw.where(is_cell_date), errors="coerce"))
    empty = (text == "") & ~is_cell_date
    bad = parsed.isna() & ~empty
    if bad.any() and not parsed.notna().any():
        first = bad.idxmax()
        raise IngestError(
            f.name,
            f"no date in column '{m.date_column}' is in the mapped format {m.date_format} "
            f"(row {first} has '{text[first]}'); check the mapping's date format",
            row=first,
        )
    reason = pd.Series("", index=raw.index, dtype=object)
    reason[empty] = f"no date in '{m.date_column}'"
    reason[bad] = "date '" + text[bad] + f"' in '{m.date_column}' is not a {m.date_format} date"
    return parsed.dt.normalize(), reason


def _text(f: PartnerFile, col: str | None) -> pd.Series:
    if not col:
        return pd.Series("", index=f.cells.index, dtype=object)
    cells = f.cells[col]
    if f.typed:
        cells = cells.map(lambda v: v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else v)
    return cells.astype(str).str.strip()


def _nullable(values: pd.Series) -> np.ndarray:
    """Object array with None for missing or empty text (NULL in the database)."""
    out = values.to_numpy(dtype=object, na_value=None).copy()
    out[out == ""] = None
    return out


def _first(reason: pd.Series, where: pd.Series, text: pd.Series | str) -> None:
    """Record a reason where a row has none yet (the earliest check wins)."""
    put = where & (reason == "")
    reason[put] = text[put] if isinstance(text, pd.Series) else text


def parse_rows(f: PartnerFile, m: PartnerMapping, lookups: Lookups, secret: str) -> ParsedRows:
    """Validate every row of a file against its mapping."""
    _check_columns(f, m)
    check_secret_given(f.name, m, secret)
    idx = f.cells.index
    days, reason = _dates(f, m)

    category = (
        _text(f, m.category_column)
        if m.category_column
        else pd.Series(m.category_value, index=idx, dtype=object)
    )
    _first(reason, category == "", f"no category in '{m.category_column}'")
    _first(reason, category.str.len() > 64, "the category is longer than 64 characters")

    lon = lat = pd.Series(np.nan, index=idx)
    lat_t, lon_t = _text(f, m.latitude_column), _text(f, m.longitude_column)
    has_point = (lat_t != "") & (lon_t != "")
    if m.latitude_column:
        lat = pd.to_numeric(lat_t.where(lat_t != ""), errors="coerce")
        lon = pd.to_numeric(lon_t.where(lon_t != ""), errors="coerce")
        _first(
            reason, (lat_t != "") != (lon_t != ""), "only one of latitude and longitude is given"
        )
        _first(reason, has_point & (lat.isna() | lon.isna()), "latitude/longitude is not a number")
        _first(reason, lat.abs() > 90, "latitude " + lat_t + " is outside -90..90")
        _first(reason, lon.abs() > 180, "longitude " + lon_t + " is outside -180..180")
    lsoa = _text(f, m.lsoa_column)
    known = lookups.lsoa_codes
    unknown = (lsoa != "") & ~(lsoa.isin(known) if known else lsoa.str.match(LSOA_PATTERN))
    _first(
        reason,
        unknown,
        "unknown LSOA code '"
        + lsoa
        + "'"
        + ("" if known else " (not E01 or W01 followed by six digits)"),
    )
    estate_t = _text(f, m.estate_column)
    by_name = (estate_t != "") & ~has_point & (lsoa == "")
    names = {s: lookups.estates.get(normalise_name(s)) for s in estate_t.unique()}
    estate = estate_t.map(names)
    _first(
        reason,
        by_name & estate.isna(),
        "unknown estate '"
        + estate_t
        + "'"
        + ("" if lookups.estates else " (no estate layer is loaded)"),
    )

    flags = pd.Series("", index=idx, dtype=object)
    for name in m.all_flags:
        col = m.flags.get(name)
        if col is None:  # the theme's own flag: every record carries it
            flags = flags + f"|{name}"
            continue
        val = _text(f, col).str.casefold()
        _first(
            reason,
            ~val.isin(YES | NO),
            f"flag column '{col}' has '" + _text(f, col) + "', not yes or no",
        )
        flags = flags.where(~val.isin(YES), flags + f"|{name}")
    flags = flags.map(lambda s: s + "|" if s else "")

    bad = reason != ""
    rejects = pd.DataFrame(
        {"row_no": idx[bad.to_numpy()], "reason": reason[bad].to_numpy(), "raw": _raw(f, m, bad)}
    )
    ok = ~bad
    if not ok.any() and len(idx):
        first = idx[0]
        raise IngestError(f.name, f"every row was rejected; the first: {reason[first]}", row=first)
    keep = ok.to_numpy()
    point = has_point[ok].to_numpy()
    scale = 10.0**m.coordinate_decimals
    lon_r = np.where(point, np.round(lon[ok].to_numpy(dtype=float) * scale) / scale, np.nan)
    lat_r = np.where(point, np.round(lat[ok].to_numpy(dtype=float) * scale) / scale, np.nan)
    keys = location_keys(lon_r, lat_r)
    lsoa_ok = _nullable(lsoa[ok])
    derive = point & pd.isna(lsoa_ok)
    if derive.any() and lookups.lsoa_polygons is not None and len(lookups.lsoa_polygons):
        found = assign_keys(np.asarray(keys[derive], dtype=np.int64), lookups.lsoa_polygons)
        lsoa_ok[derive] = np.where(found == "", None, found)
    estate_ok = _nullable(estate[ok].where(by_name[ok]))
    located = point | pd.notna(lsoa_ok) | pd.notna(estate_ok)
    victim = pseudonymise(_text(f, m.key_column), secret)[ok] if m.key_column else None
    n = int(keep.sum())
    rows = pa.table(
        {
            "row_no": pa.array(idx[keep].to_numpy(), pa.int32()),
            "record_date": pa.array(days[ok].dt.date, pa.date32()),
            "month": pa.array(days[ok].dt.to_period("M").dt.start_time.dt.date, pa.date32()),
            "category": pa.array(category[ok].to_numpy(dtype=object), pa.string()),
            "location_key": pa.array(keys, pa.int64()),
            "lsoa_code": pa.array(lsoa_ok, pa.string()),
            "estate_code": pa.array(estate_ok, pa.string()),
            "flags": pa.array(flags[ok].to_numpy(dtype=object), pa.string()),
            "victim_key": pa.array(
                _nullable(victim) if victim is not None else [None] * n, pa.string()
            ),
        }
    )
    return ParsedRows(rows, rejects, int((~located).sum()))


def _raw_cell(col: str, v: object, m: PartnerMapping) -> object:
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if col in (m.latitude_column, m.longitude_column):
        num = pd.to_numeric(v, errors="coerce")
        return v if pd.isna(num) else str(round(float(num), m.coordinate_decimals))
    return v


def _raw(f: PartnerFile, m: PartnerMapping, bad: pd.Series) -> list[str]:
    """The mapped cells of rejected rows as JSON: never the key; coordinates rounded as stored."""
    cols = [c for c in m.columns if c != m.key_column]
    sub = f.cells.loc[bad, cols]
    return [
        json.dumps({c: _raw_cell(c, v, m) for c, v in row.items()}, ensure_ascii=False)
        for row in sub.to_dict("records")
    ]
