"""The police.uk API route: street crime by district polygon for one month, as a street CSV.

The API limits a polygon to 10,000 crimes (503 beyond) and a GET to 4,094 characters (400
beyond), so the district is sent as a simplified polygon that covers it, split in two on 503,
and by POST when long. Crimes are then kept only where they fall in the true district.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine, select

from csp_dash.db.cube import LSOA_LAYER
from csp_dash.db.locations import location_keys
from csp_dash.db.schema import areas
from csp_dash.fetch.district import DistrictSpec
from csp_dash.fetch.errors import FetchError
from csp_dash.fetch.http import Client, _json
from csp_dash.ingest.assign import assign_keys, layer_frame
from csp_dash.ingest.policeuk import COLUMNS

GET_LIMIT = 4094  # longest GET URL police.uk accepts
MAX_POINTS = 200  # vertices a request polygon may have: short enough to GET
MAX_SPLITS = 12  # halvings of one piece before giving up (2^12 pieces)

# The API's category slugs and the names police.uk's CSV files use.
CATEGORIES = {
    "anti-social-behaviour": "Anti-social behaviour", "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary", "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs", "other-theft": "Other theft", "possession-of-weapons": "Possession of weapons",
    "public-order": "Public order", "robbery": "Robbery", "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person", "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences", "other-crime": "Other crime",
}


def covering_polygons(geom: BaseGeometry, max_points: int = MAX_POINTS) -> list[Polygon]:
    """Simple polygons (no holes, at most max_points vertices) that together cover geom."""
    out = []
    for part in getattr(geom, "geoms", [geom]):
        shell = Polygon(part.exterior)
        tol = max(shell.length / max_points / 50, 1e-6)
        cover = shell
        while len(cover.exterior.coords) > max_points or not cover.covers(shell):
            cover = shell.buffer(tol, join_style="mitre").simplify(tol)
            cover = Polygon(cover.exterior) if cover.geom_type == "Polygon" else shell.envelope
            tol *= 1.5
        out.append(cover)
    return out


def poly_param(poly: Polygon) -> str:
    """lat,lng:lat,lng:... as the API wants it (it closes the ring itself)."""
    return ":".join(f"{y:.6f},{x:.6f}" for x, y in poly.exterior.coords[:-1])


def halves(poly: Polygon) -> list[Polygon]:
    """Two (or more) polygons that cover poly, cut across its longer side."""
    x0, y0, x1, y1 = poly.bounds
    if x1 - x0 >= y1 - y0:
        boxes = [box(x0, y0, (x0 + x1) / 2, y1), box((x0 + x1) / 2, y0, x1, y1)]
    else:
        boxes = [box(x0, y0, x1, (y0 + y1) / 2), box(x0, (y0 + y1) / 2, x1, y1)]
    out = []
    for b in boxes:
        piece = poly.intersection(b)
        out += [p for p in getattr(piece, "geoms", [piece]) if p.geom_type == "Polygon"
                and not p.is_empty]
    return out


def street_crimes(client: Client, poly: Polygon, month: str, depth: int = 0) -> list[dict]:
    """Every crime the API gives for the polygon and month, splitting it while it answers 503."""
    url = f"{client.api_url}/crimes-street/all-crime"
    data = {"poly": poly_param(poly), "date": month}
    long = len(url) + len("?poly=&date=") + len(data["poly"]) + len(month) > GET_LIMIT
    method = "POST" if long else "GET"
    resp = client.request(method, url, ok_statuses=(200, 400, 503),
                          **({"data": data} if long else {"params": data}))
    if resp.status_code == 400 and method == "GET":  # too long for this server: send it as POST
        resp = client.request("POST", url, ok_statuses=(200, 503), data=data)
    if resp.status_code == 400:
        raise FetchError(f"{url}: police.uk refused the polygon for {month} (400 {resp.text[:80]})")
    if resp.status_code == 503:
        if depth >= MAX_SPLITS:
            raise FetchError(f"{url}: still too many crimes for {month} after {depth} splits")
        return [c for piece in halves(poly) for c in street_crimes(client, piece, month, depth + 1)]
    rows = _json(resp, url)
    if not isinstance(rows, list):
        raise FetchError(f"{url}: expected a list of crimes for {month}, got {type(rows).__name__}")
    return rows


def force_of(client: Client, spec: DistrictSpec) -> str:
    """The district's force: the one given, else the one police.uk places its centre in."""
    if spec.force:
        return spec.force
    pt = spec.polygon.representative_point()
    answer = client.api_json("locate-neighbourhood", {"q": f"{pt.y:.6f},{pt.x:.6f}"})
    if not isinstance(answer, dict) or not answer.get("force"):
        raise FetchError("police.uk could not say which force covers the district; give --force")
    return str(answer["force"])


def _text(v) -> str:
    return "" if v is None else str(v)


def _row(c: dict, month: str, force: str) -> dict[str, str]:
    loc = c.get("location") or {}
    outcome = c.get("outcome_status") or {}
    cat = _text(c.get("category"))
    return {
        "Crime ID": _text(c.get("persistent_id")),
        "Month": _text(c.get("month")) or month,
        "Reported by": force, "Falls within": force,
        "Longitude": _text(loc.get("longitude")), "Latitude": _text(loc.get("latitude")),
        "Location": _text((loc.get("street") or {}).get("name")) if loc else "No Location",
        "LSOA code": "", "LSOA name": "",
        "Crime type": CATEGORIES.get(cat, cat),  # an unknown slug is rejected by the ingest
        "Last outcome category": _text(outcome.get("category")),
        "Context": _text(c.get("context")),
    }


class ApiMonth:
    """What the API route fetched for one month: the file written and how LSOAs were set."""

    def __init__(self, path: Path, rows: int, no_location: int, lsoa_assigned: int,
                 lsoa_missing: int):
        self.path, self.rows, self.no_location = path, rows, no_location
        self.lsoa_assigned, self.lsoa_missing = lsoa_assigned, lsoa_missing


def fetch_api_month(client: Client, engine: Engine, spec: DistrictSpec, month: str, force: str,
                    out_dir: Path) -> ApiMonth:
    """Fetch one month by the API and write it as YYYY-MM-<force>-street.csv in out_dir."""
    if spec.polygon is None:
        raise FetchError("the API route needs the district's polygon (--boundary or --lsoa-codes)")
    crimes: dict = {}
    for poly in covering_polygons(spec.polygon):
        for c in street_crimes(client, poly, month):
            crimes[c.get("id")] = c  # split pieces share edges: a crime is kept once
    located = [_row(c, month, force) for _, c in sorted(crimes.items(), key=lambda kv: str(kv[0]))]
    lon = np.array([float(r["Longitude"] or "nan") for r in located])
    lat = np.array([float(r["Latitude"] or "nan") for r in located])
    located = [r for r, keep in zip(located, spec.contains(lon, lat), strict=True) if keep]
    assigned, missing = _assign_lsoa(engine, located)
    loose = client.api_json("crimes-no-location", {"category": "all-crime", "force": force,
                                                   "date": month})
    if not isinstance(loose, list):
        raise FetchError(f"crimes-no-location for {force} {month}: expected a list")
    loose_rows = [_row(c, month, force) for c in sorted(loose, key=lambda c: str(c.get("id")))]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{month}-{force}-street.csv"
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(located + loose_rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return ApiMonth(path, len(located) + len(loose_rows), len(loose_rows), assigned, missing)


def _assign_lsoa(engine: Engine, rows: list[dict]) -> tuple[int, int]:
    """Fill LSOA code and name from the loaded LSOA layer, which the API does not give."""
    if not rows:
        return 0, 0
    with engine.connect() as conn:
        frame = layer_frame(conn, LSOA_LAYER)
        names = dict(conn.execute(select(areas.c.code, areas.c.name)
                                  .where(areas.c.layer == LSOA_LAYER)).all())
    if frame.empty:
        return 0, len(rows)
    lon = np.array([float(r["Longitude"]) for r in rows])
    lat = np.array([float(r["Latitude"]) for r in rows])
    codes = assign_keys(np.asarray(location_keys(lon, lat), dtype=np.int64), frame)
    for r, code in zip(rows, codes, strict=True):
        r["LSOA code"], r["LSOA name"] = code, names.get(code, "")
    hit = sum(1 for c in codes if c)
    return hit, len(rows) - hit
