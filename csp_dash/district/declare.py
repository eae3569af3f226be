"""Declare the district once; the cube is rebuilt so every figure is the district's.

The district is a set of LSOA codes (a record is inside when its LSOA is one of them:
police.uk gives every located crime its LSOA) and, where known, its outline for maps.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Connection, Engine, delete, insert, select

from csp_dash.db.cube import rebuild_cube
from csp_dash.db.schema import areas, crimes
from csp_dash.db.schema_district import district_def, district_lsoas
from csp_dash.db.version import bump
from csp_dash.ingest.boundaries import read_boundaries
from csp_dash.ingest.partner.cube import rebuild_all_partner_cubes

LSOA_LAYER = "lsoa"
CODE = re.compile(r"^[EW]0[0-9]{7}$")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _lsoa_frame(conn: Connection) -> gpd.GeoDataFrame:
    rows = conn.execute(select(areas.c.code, areas.c.name, areas.c.geometry)
                        .where(areas.c.layer == LSOA_LAYER).order_by(areas.c.code)).all()
    geoms = [shapely.from_geojson(g) if g else None for *_, g in rows]
    return gpd.GeoDataFrame({"code": [r.code for r in rows], "name": [r.name for r in rows]},
                            geometry=geoms, crs="EPSG:4326")


def _outline(lsoas: gpd.GeoDataFrame) -> str | None:
    shapes = lsoas.geometry.dropna()
    return shapely.to_geojson(shapely.union_all(shapes.values)) if len(shapes) else None


def _store(engine: Engine, name: str, kind: str, source: str, codes: list[str],
           outline: str | None) -> int:
    """Replace the district and rebuild every cube row, in one transaction."""
    codes = sorted(set(codes))
    if not codes:
        raise ValueError(f"the district '{name}' would hold no LSOA: nothing declared")
    with engine.begin() as conn:
        conn.execute(delete(district_lsoas))
        conn.execute(delete(district_def))
        conn.execute(insert(district_def).values(district_id=1, name=name, kind=kind,
                                                 source=source, geometry=outline,
                                                 declared_at=_now()))
        conn.execute(insert(district_lsoas), [{"lsoa_code": c} for c in codes])
        rebuild_cube(conn)
        rebuild_all_partner_cubes(conn)
        bump(conn)
    return len(codes)


def from_lsoa_layer(engine: Engine, name: str | None = None) -> int:
    """Every loaded LSOA is the district (the usual case: an analyst loads their LSOAs)."""
    with engine.connect() as conn:
        lsoas = _lsoa_frame(conn)
    if lsoas.empty:
        raise ValueError("no LSOA boundaries are loaded: load them first "
                         "(csp-dash ingest boundaries FILE --layer lsoa)")
    return _store(engine, name or "the loaded LSOAs", "lsoa layer", "layer lsoa",
                  list(lsoas["code"]), _outline(lsoas))


def from_boundary(engine: Engine, path: str | Path, name: str | None = None) -> int:
    """LSOAs inside a boundary (one or more polygons, e.g. a local authority outline).

    An LSOA is inside when its representative point is; with no LSOA layer loaded, when most
    of its records' map points are.
    """
    gdf = read_boundaries(path).to_crs("EPSG:4326")
    shape = shapely.union_all(gdf.geometry.dropna().values)
    if shape.is_empty or shape.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"{Path(path).name}: the district boundary must be polygons")
    with engine.connect() as conn:
        lsoas = _lsoa_frame(conn)
        if not lsoas.empty:
            points = lsoas.geometry.representative_point()
            codes = list(lsoas.loc[shapely.contains(shape, points.values), "code"])
        else:
            codes = _codes_by_points(conn, shape)
    label = name or Path(path).stem
    return _store(engine, label, "boundary", Path(path).name, codes, shapely.to_geojson(shape))


def _codes_by_points(conn: Connection, shape) -> list[str]:
    c = crimes.c
    pts = pd.read_sql(select(c.lsoa_code, c.longitude, c.latitude)
                      .where(c.lsoa_code.is_not(None), c.longitude.is_not(None)).distinct(), conn)
    if pts.empty:
        return []
    pts["inside"] = shapely.contains_xy(shape, pts["longitude"], pts["latitude"])
    share = pts.groupby("lsoa_code")["inside"].mean()
    return list(share[share > 0.5].index)


def from_lsoa_codes(engine: Engine, codes: list[str], name: str, source: str) -> int:
    bad = [c for c in codes if not CODE.match(c)]
    if bad:
        raise ValueError(f"{source}: {len(bad)} value(s) are not LSOA codes, e.g. '{bad[0]}' "
                         "(expected E01234567 or W01234567)")
    with engine.connect() as conn:
        lsoas = _lsoa_frame(conn)
    mine = lsoas[lsoas["code"].isin(codes)]
    return _store(engine, name, "lsoa codes", source, codes, _outline(mine))


def read_code_file(path: str | Path) -> list[str]:
    """LSOA codes from a CSV's first column named like a code, or a plain list, one a line."""
    p = Path(path)
    text = p.read_text(encoding="utf-8-sig")
    values = [v.strip().strip('"') for line in text.splitlines() for v in line.split(",")[:1]]
    codes = [v for v in values if v and CODE.match(v)]
    if not codes:
        raise ValueError(f"{p.name}: no LSOA codes found (one a line, or the first column)")
    return codes


def from_name_prefix(engine: Engine, prefix: str) -> int:
    """LSOAs whose name starts with a local authority's name, e.g. "Colchester" (LSOA names
    are the authority's name and a number: "Colchester 001A")."""
    pattern = re.compile(rf"^{re.escape(prefix.strip())} \d{{3}}[A-Z]$")
    with engine.connect() as conn:
        lsoas = _lsoa_frame(conn)
        named = dict(zip(lsoas["code"], lsoas["name"], strict=True))
        c = crimes.c
        for code, lname in conn.execute(select(c.lsoa_code, c.lsoa_name)
                                        .where(c.lsoa_code.is_not(None)).distinct()):
            named.setdefault(code, lname or "")
    codes = [code for code, lname in named.items() if pattern.match(lname or "")]
    if not codes:
        raise ValueError(f"no LSOA name starts with '{prefix}' (names look like "
                         f"'{next(iter(named.values()), 'Colchester 001A')}')")
    return _store(engine, prefix.strip(), "name prefix", prefix.strip(), codes,
                  _outline(lsoas[lsoas["code"].isin(codes)]))


def clear(engine: Engine) -> None:
    """Forget the declared district (the loaded LSOA layer is proposed again)."""
    with engine.begin() as conn:
        conn.execute(delete(district_lsoas))
        conn.execute(delete(district_def))
        rebuild_cube(conn)
        rebuild_all_partner_cubes(conn)
        bump(conn)
