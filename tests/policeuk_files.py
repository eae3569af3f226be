"""Write synthetic police.uk street-crime files (exact 12-column header) for readable tests."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
FORCE_NAMES = {"essex": "Essex Police", "kent": "Kent Police", "suffolk": "Suffolk Constabulary"}


def crime(
    month: str = "2018-01",
    category: str = "Burglary",
    lon: str | float | None = 1.005,
    lat: str | float | None = 51.705,
    lsoa: str = "E01000001",
    crime_id: str | None = None,
    force: str = "essex",
    location: str = "On or near High Street",
    outcome: str = "Under investigation",
) -> dict[str, str]:
    """One street-crime row as police.uk writes it; None coordinates become empty fields."""
    asb = category == "Anti-social behaviour"
    return {
        "Crime ID": "" if asb else (crime_id or f"id-{month}-{category}-{lon}-{lat}"),
        "Month": month,
        "Reported by": FORCE_NAMES.get(force, force),
        "Falls within": FORCE_NAMES.get(force, force),
        "Longitude": "" if lon is None else (lon if isinstance(lon, str) else f"{lon:.6f}"),
        "Latitude": "" if lat is None else (lat if isinstance(lat, str) else f"{lat:.6f}"),
        "Location": location if lon is not None else "No Location",
        "LSOA code": lsoa if lon is not None else "",
        "LSOA name": f"Testshire {lsoa[-3:]}" if lon is not None and lsoa else "",
        "Crime type": category,
        "Last outcome category": "" if asb else outcome,
        "Context": "",
    }


def csv_bytes(
    rows: list[dict[str, str]],
    header: list[str] = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    """The bytes of a CSV with `header` and `rows` (extra keys ignored, missing keys empty)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(c, "") for c in header])
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def street_name(month: str, force: str = "essex") -> str:
    """police.uk's file name for a force-month."""
    return f"{month}-{force}-street.csv"


def write_street_csv(
    folder: Path,
    month: str,
    rows: list[dict[str, str]],
    force: str = "essex",
    name: str | None = None,
    **fmt,
) -> Path:
    """Write a street file (police.uk name unless `name`) into `folder`; `fmt` goes to csv_bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or street_name(month, force))
    path.write_bytes(csv_bytes(rows, **fmt))
    return path


def write_raw(folder: Path, name: str, data: bytes) -> Path:
    """Write arbitrary bytes as a file (for broken files)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A zip holding `members` (archive name -> bytes), e.g. police.uk's YYYY-MM/ folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, data in members.items():
            zf.writestr(arcname, data)
    return path


def month_rows(
    month: str, n: int, force: str = "essex", category: str = "Burglary", no_location: int = 0
) -> list[dict[str, str]]:
    """`n` located rows at distinct points plus `no_location` rows without coordinates."""
    rows = [
        crime(
            month,
            category,
            lon=1.0 + i * 1e-4,
            lat=51.7,
            force=force,
            crime_id=f"{force}-{month}-{i}",
        )
        for i in range(n)
    ]
    rows += [
        crime(month, category, lon=None, lat=None, force=force, crime_id=f"{force}-{month}-nl{i}")
        for i in range(no_location)
    ]
    return rows


def db_snapshot(engine) -> dict[str, tuple[int, str]]:
    """Every table's (row count, hash of its sorted rows): equal snapshots mean an unchanged database."""
    from sqlalchemy import select

    from csp_dash.db.schema import metadata

    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(table)))
            out[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out
