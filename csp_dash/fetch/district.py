"""The district a fetch is for: a polygon in EPSG:4326, optionally LSOA codes and a force.

The stored "declared district" is another feature; until it lands, district_spec() builds the
spec from command-line arguments, and is the one place to point at the stored district later.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine, select

from csp_dash.db.cube import LSOA_LAYER
from csp_dash.db.schema import areas
from csp_dash.db.schema_district import district_def, district_lsoas
from csp_dash.fetch.errors import FetchError
from csp_dash.ingest.boundaries import read_boundaries
from csp_dash.ingest.errors import IngestError


@dataclass(frozen=True)
class DistrictSpec:
    polygon: BaseGeometry | None  # (Multi)Polygon, EPSG:4326; None only with a force
    lsoa_codes: frozenset[str] | None = None
    force: str | None = None  # police.uk force id, e.g. "essex"
    label: str = "district"

    def __post_init__(self) -> None:
        if self.polygon is None and not self.force:
            raise FetchError("the district needs a polygon (--boundary, --lsoa-codes) or --force")
        if self.polygon is not None and (self.polygon.is_empty or self.polygon.geom_type
                                         not in ("Polygon", "MultiPolygon")):
            raise FetchError(f"the district must be a polygon, not {self.polygon.geom_type}")

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """True for points in (or on the edge of) the polygon; NaN points are outside."""
        if self.polygon is None:
            return np.zeros(len(lon), dtype=bool)
        shapely.prepare(self.polygon)
        ok = ~(np.isnan(lon) | np.isnan(lat))
        out = np.zeros(len(lon), dtype=bool)
        out[ok] = shapely.intersects_xy(self.polygon, lon[ok], lat[ok])
        return out


def spec_from_boundary(path: str | Path, force: str | None = None) -> DistrictSpec:
    """Every feature of a GeoJSON/GPKG file dissolved into one polygon."""
    try:
        gdf = read_boundaries(path)
    except IngestError as exc:
        raise FetchError(str(exc)) from None
    geom = shapely.make_valid(shapely.union_all(gdf.geometry.values))
    geom = _polygonal(geom, str(path))
    return DistrictSpec(geom, None, force, Path(path).stem)


def spec_from_lsoa_codes(engine: Engine, path: str | Path, force: str | None = None) -> DistrictSpec:
    """The union of listed LSOAs (one code a line, or a CSV whose first column is the code)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise FetchError(f"{path}: cannot read the LSOA code list ({exc})") from None
    codes = {ln.split(",")[0].strip().strip('"') for ln in lines}
    codes = {c for c in codes if c and c.upper().startswith(("E0", "W0"))}
    if not codes:
        raise FetchError(f"{path}: no LSOA codes (E01.../W01..., one a line) found")
    with engine.connect() as conn:
        rows = conn.execute(select(areas.c.code, areas.c.geometry).where(
            areas.c.layer == LSOA_LAYER, areas.c.code.in_(sorted(codes)))).all()
    if not rows:
        raise FetchError(f"{path}: none of its {len(codes)} codes is in the loaded '{LSOA_LAYER}' "
                         "layer; load the LSOA boundaries first (csp-dash ingest boundaries)")
    missing = codes - {r.code for r in rows}
    if missing:
        raise FetchError(f"{path}: {len(missing)} code(s) not in the loaded '{LSOA_LAYER}' layer "
                         f"(e.g. {', '.join(sorted(missing)[:3])})")
    geom = shapely.make_valid(shapely.union_all([shapely.from_geojson(r.geometry) for r in rows]))
    return DistrictSpec(_polygonal(geom, str(path)), frozenset(codes), force, path.stem)


def _polygonal(geom: BaseGeometry, where: str) -> BaseGeometry:
    """Keep the polygon parts (make_valid may add stray lines along shared edges)."""
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts) if parts else shapely.Polygon()
    if geom.is_empty:
        raise FetchError(f"{where}: holds no polygon area")
    return geom


def stored_spec(engine: Engine, force: str | None = None) -> DistrictSpec | None:
    """The declared district (csp_dash.district): its outline and LSOAs, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(district_def.c.name, district_def.c.geometry)).first()
        if row is None or not row.geometry:
            return None
        codes = frozenset(conn.execute(select(district_lsoas.c.lsoa_code)).scalars())
    return DistrictSpec(shapely.from_geojson(row.geometry), codes, force, row.name)


def district_spec(engine: Engine, args: argparse.Namespace) -> DistrictSpec:
    """The district from --boundary / --lsoa-codes / --force, else the declared district."""
    force = (getattr(args, "force", None) or "").strip().lower() or None
    if getattr(args, "boundary", None) and getattr(args, "lsoa_codes", None):
        raise FetchError("give --boundary or --lsoa-codes, not both")
    if getattr(args, "boundary", None):
        return spec_from_boundary(args.boundary, force)
    if getattr(args, "lsoa_codes", None):
        return spec_from_lsoa_codes(engine, args.lsoa_codes, force)
    stored = stored_spec(engine, force)
    if stored is not None:
        return stored
    if force:
        return DistrictSpec(None, None, force, force)
    raise FetchError("which district? Declare it (csp-dash district set), or give --boundary "
                     "FILE, --lsoa-codes FILE or --force NAME")
