"""Geography of the synthetic demo district "Kestrel Vale": boundaries and snap points.

Everything is built in metres (UTM 30N) from one seed, then reprojected to EPSG:4326.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely import affinity

METRIC_CRS = "EPSG:32630"  # UTM 30N: plain metres, no datum grid needed
CENTRE_LONLAT = (-1.85, 52.615)
DISTRICT_CODE = "E07999999"
N_WARDS = 10
BOUNDARY_MARGIN_M = 3.0  # snap points keep clear of LSOA edges so point-in-polygon is unambiguous

ESTATE_NAMES = (
    "Hollins Park", "Brookfield", "Tanners Green", "Castle Mead", "Ashby Fields", "Millbrook",
    "Foxley Rise", "Larkhill", "Orchard Vale", "Sandpits", "Chapel End", "Windmill Hill",
    "Beacon View", "Riverside", "The Lanes", "Heathcote", "Kingsmoor", "Pennyfields",
    "Greyfriars", "Saxon Court", "Willowbank", "Coppice Farm", "Stonehill", "Marlpit",
)  # fmt: skip
WARD_NAMES = (
    "Kestrel Vale Central", "Abbeyfield", "Bramblewood", "Copper Hill", "Dunsmere",
    "Elm Heath", "Fenwick", "Harrowby", "Linton Moor", "Wrenford",
)  # fmt: skip
STREET_STEMS = (
    "Church", "Station", "Mill", "Park", "Victoria", "Albert", "Queen", "King", "School",
    "Manor", "Green", "Chapel", "Oak", "Ash", "Elm", "Birch", "Willow", "Hawthorn", "Holly",
    "Beech", "Cedar", "Maple", "Rowan", "Hazel", "Meadow", "Orchard", "Brook", "Spring",
    "Well", "Bridge", "Forge", "Smithy", "Tanners", "Weavers", "Carters", "Market", "Castle",
    "Abbey", "Priory", "Vicarage", "Rectory", "Grange", "Hall", "Farm", "Heath", "Common",
    "Moor", "Hill", "Windmill", "Kestrel", "Falcon", "Lark", "Wren", "Robin", "Swallow",
    "Badger", "Fox", "Canal", "Wharf", "Lock", "Quarry", "Colliery", "Foundry", "Pottery",
    "Sandy", "Stony", "Long", "New", "Old", "North", "South", "East", "West",
)  # fmt: skip
STREET_SUFFIXES = (
    "Road", "Street", "Lane", "Close", "Drive", "Avenue", "Way", "Crescent", "Grove", "Place",
    "Walk", "Gardens", "Court", "Rise", "View",
)  # fmt: skip
TOWN_CENTRE_PLACES = (
    "Supermarket", "Shopping Area", "Parking Area", "Nightclub", "Bus/Coach Station",
    "Theatre/Concert Hall", "Further/Higher Educational Building", "Police Station", "Hospital",
)  # fmt: skip
LOCAL_PLACES = (
    "Supermarket", "Parking Area", "Petrol Station", "Sports/Recreation Area", "Park/Open Space",
    "Pedestrian Subway",
)  # fmt: skip
SHOP_PLACES = frozenset({"Supermarket", "Shopping Area", "Petrol Station"})


@dataclass(frozen=True)
class DemoGeography:
    """Boundaries (EPSG:4326) and the snap points every record is placed at."""

    district: gpd.GeoDataFrame  # code, name, geometry
    lsoas: gpd.GeoDataFrame  # code, name, population, households, geometry
    wards: gpd.GeoDataFrame  # code, name, geometry
    estates: gpd.GeoDataFrame  # code, name, geometry
    # lon, lat (6 dp), street, lsoa (row of lsoas), estate (row of estates or -1),
    # town_centre, shop (bool), attract (relative pull of the point)
    snap_points: pd.DataFrame
    town_centre_radius_m: float


def _wobbly_ring(
    rng: np.random.Generator,
    cx: float,
    cy: float,
    radius: float,
    n: int,
    harmonics: range,
    amp: float,
) -> shapely.Polygon:
    """An irregular star-shaped polygon: a circle with a few random harmonics."""
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in harmonics:
        r += rng.uniform(0.3, 1.0) * amp * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    r *= radius * (1 + rng.uniform(-0.015, 0.015, n))
    return shapely.Polygon(np.column_stack([cx + r * np.cos(theta), cy + r * np.sin(theta)]))


def _sample_in(rng: np.random.Generator, poly: shapely.Geometry, n: int) -> np.ndarray:
    """n points uniformly inside poly (rejection sampling in its bounding box)."""
    x0, y0, x1, y1 = poly.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        cand = rng.uniform((x0, y0), (x1, y1), size=(4 * n + 16, 2))
        out = np.vstack([out, cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]])
    return out[:n]


def _spaced_points(rng: np.random.Generator, n: int, propose, ok) -> list[np.ndarray]:
    """Greedy rejection: accept proposals that pass ok(point, accepted) until n are found."""
    accepted: list[np.ndarray] = []
    for _ in range(200 * n):
        p = propose()
        if ok(p, accepted):
            accepted.append(p)
            if len(accepted) == n:
                return accepted
    raise RuntimeError("could not place demo points; try another seed")


def _fix_multiparts(cells: list[shapely.Geometry]) -> list[shapely.Geometry]:
    """Give stray fragments of clipped Voronoi cells to the neighbour sharing most edge."""
    cells = list(cells)
    for i, cell in enumerate(cells):
        if cell.geom_type != "MultiPolygon":
            continue
        parts = sorted(cell.geoms, key=lambda g: g.area, reverse=True)
        cells[i] = parts[0]
        for frag in parts[1:]:
            shared = [
                (frag.boundary.intersection(c.boundary).length, j)
                for j, c in enumerate(cells)
                if j != i
            ]
            j = max(shared)[1]
            cells[j] = shapely.union(cells[j], frag).buffer(0)
    return cells


def _lsoa_names(seeds: np.ndarray, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Codes and ONS-style names ("Kestrel Vale 001A"), numbered north to south in groups."""
    order = np.argsort(-seeds[:, 1], kind="stable")
    codes, names = [""] * len(seeds), [""] * len(seeds)
    group, letter, size = 1, 0, int(rng.integers(4, 6))
    for rank, i in enumerate(order):
        codes[i] = f"E01999{rank + 1:03d}"
        names[i] = f"Kestrel Vale {group:03d}{'ABCDEFG'[letter]}"
        letter += 1
        if letter == size:
            group, letter, size = group + 1, 0, int(rng.integers(4, 6))
    return codes, names


# Shapely's vectorised operations can raise numpy's "invalid value" warning on degenerate
# intermediate pieces (seen intermittently); the finished polygons are checked by the tests.
@np.errstate(invalid="ignore")
def build_geography(seed: int) -> DemoGeography:
    """Build the district, LSOAs, wards, estates and snap points from one seed."""
    rng = np.random.default_rng([seed, 0])
    to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    cx, cy = to_m.transform(*CENTRE_LONLAT)

    # District: irregular outline, squeezed to fit lon -1.95..-1.75, lat 52.55..52.68.
    to_deg = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
    district = _wobbly_ring(rng, cx, cy, 5600.0, 96, range(2, 6), 0.09)
    lon, lat = to_deg.transform(*np.asarray(district.exterior.coords).T)
    reach = max(np.abs(lon - CENTRE_LONLAT[0]).max() / 0.097,
                np.abs(lat - CENTRE_LONLAT[1]).max() / 0.062)  # fmt: skip
    if reach > 1:
        district = affinity.scale(district, 1 / reach, 1 / reach, origin=(cx, cy))
    inner = district.buffer(-150)

    # Town centre, a little off the middle.
    tc = np.array([cx, cy]) + rng.uniform(-900, 900, 2)
    tc_radius = 700.0

    # LSOAs: Voronoi cells of seeds, denser in town, clipped to the district.
    n_lsoa = int(rng.integers(76, 87))

    def propose_lsoa() -> np.ndarray:
        if rng.random() < 0.45:
            return tc + rng.normal(0, 2000, 2)
        return rng.uniform(district.bounds[:2], district.bounds[2:])

    seeds = np.array(
        _spaced_points(
            rng,
            n_lsoa,
            propose_lsoa,
            lambda p, acc: (
                bool(shapely.contains_xy(inner, p[0], p[1]))
                and all(np.hypot(*(p - q)) > 420 for q in acc)
            ),
        )
    )
    vor = shapely.voronoi_polygons(
        shapely.MultiPoint(seeds), extend_to=district.buffer(2000), ordered=True
    )
    cells = _fix_multiparts([shapely.intersection(c, district) for c in vor.geoms])
    codes, names = _lsoa_names(seeds, rng)
    population = rng.integers(1200, 2201, n_lsoa)
    households = np.rint(population / rng.uniform(2.15, 2.45, n_lsoa)).astype(int)
    lsoas = gpd.GeoDataFrame(
        {"code": codes, "name": names, "population": population, "households": households},
        geometry=cells,
        crs=METRIC_CRS,
    )
    lsoas = lsoas.sort_values("code").reset_index(drop=True)
    order = np.argsort(codes)
    seeds, cells = seeds[order], [cells[i] for i in order]

    # Wards: LSOAs grouped by nearest of N_WARDS well-spread LSOA seeds (farthest-point sampling).
    chosen = [int(np.argmin(np.hypot(*(seeds - tc).T)))]
    dist = np.hypot(*(seeds - seeds[chosen[0]]).T)
    while len(chosen) < N_WARDS:
        chosen.append(int(np.argmax(dist)))
        dist = np.minimum(dist, np.hypot(*(seeds - seeds[chosen[-1]]).T))
    _, ward_of = cKDTree(seeds[chosen]).query(seeds)
    wards = (
        lsoas.assign(ward=ward_of)[["ward", "geometry"]].dissolve(by="ward").reset_index(drop=True)
    )
    wards.insert(0, "code", [f"E05999{i + 1:03d}" for i in range(N_WARDS)])
    wards.insert(1, "name", list(WARD_NAMES))

    # Estates: irregular blobs a few hundred metres across, apart from each other and the centre.
    n_est = len(ESTATE_NAMES)
    radii = rng.uniform(220, 450, n_est)

    def propose_estate() -> np.ndarray:
        if rng.random() < 0.7:
            return tc + rng.normal(0, 2300, 2)
        return rng.uniform(district.bounds[:2], district.bounds[2:])

    def estate_ok(p: np.ndarray, acc: list[np.ndarray]) -> bool:
        r = radii[len(acc)] * 1.4
        return (
            bool(shapely.contains_xy(district.buffer(-r - 100), p[0], p[1]))
            and np.hypot(*(p - tc)) > tc_radius + r + 150
            and all(np.hypot(*(p - q)) > r + radii[i] * 1.4 + 100 for i, q in enumerate(acc))
        )

    centres = _spaced_points(rng, n_est, propose_estate, estate_ok)
    estate_polys = [
        _wobbly_ring(rng, c[0], c[1], radii[i], 28, range(2, 5), 0.12)
        for i, c in enumerate(centres)
    ]
    estates = gpd.GeoDataFrame(
        {"code": [f"EST{i + 1:03d}" for i in range(n_est)], "name": list(ESTATE_NAMES)},
        geometry=estate_polys,
        crs=METRIC_CRS,
    )

    # Snap points: a spread in every LSOA, a dense town centre, and more on each estate.
    pts = [_sample_in(rng, cell, 12 + int(cell.area / 1e6 * 1.5)) for cell in cells]
    tc_pts = tc + rng.normal(0, tc_radius * 0.6, (260, 2))
    pts.append(tc_pts[shapely.contains_xy(inner, tc_pts[:, 0], tc_pts[:, 1])])
    pts += [_sample_in(rng, poly, int(rng.integers(18, 31))) for poly in estate_polys]
    xy = np.vstack(pts)
    edges = shapely.union_all(lsoas.boundary.values)
    xy = xy[shapely.distance(edges, shapely.points(xy)) > BOUNDARY_MARGIN_M]

    lon, lat = to_deg.transform(xy[:, 0], xy[:, 1])
    lonlat = np.unique(np.round(np.column_stack([lon, lat]), 6), axis=0)
    xy = np.column_stack(to_m.transform(lonlat[:, 0], lonlat[:, 1]))
    n_pts = len(xy)
    lsoas, estates = lsoas.to_crs("EPSG:4326"), estates.to_crs("EPSG:4326")
    # Membership is decided in EPSG:4326 on the rounded coordinates, exactly as written.
    lsoa_of, estate_of = np.full(n_pts, -1), np.full(n_pts, -1)
    for i, cell in enumerate(lsoas.geometry):
        lsoa_of[shapely.contains_xy(cell, lonlat[:, 0], lonlat[:, 1])] = i
    for i, poly in enumerate(estates.geometry):
        estate_of[shapely.contains_xy(poly, lonlat[:, 0], lonlat[:, 1])] = i
    in_tc = np.hypot(*(xy - tc).T) < tc_radius

    # Street names: nearby points share a street; some points are police.uk "places".
    stems = [f"{a} {b}" for a in STREET_STEMS for b in STREET_SUFFIXES]
    n_streets = n_pts // 3
    street_names = np.array(stems, dtype=object)[rng.permutation(len(stems))[:n_streets]]
    street_seeds = rng.choice(n_pts, n_streets, replace=False)
    street_names[int(np.argmin(np.hypot(*(xy[street_seeds] - tc).T)))] = "High Street"
    _, street_of = cKDTree(xy[street_seeds]).query(xy)
    street = street_names[street_of]
    tc_place = in_tc & (rng.random(n_pts) < 0.3)
    street[tc_place] = rng.choice(TOWN_CENTRE_PLACES, int(tc_place.sum()))
    local_place = ~in_tc & (rng.random(n_pts) < 0.04)
    street[local_place] = rng.choice(LOCAL_PLACES, int(local_place.sum()))

    snap = pd.DataFrame(
        {
            "lon": lonlat[:, 0],
            "lat": lonlat[:, 1],
            "street": street.astype(str),
            "lsoa": lsoa_of,
            "estate": estate_of,
            "town_centre": in_tc,
            "shop": np.isin(street, list(SHOP_PLACES)),
            "attract": rng.lognormal(0.0, 0.5, n_pts),
        }
    )
    if (snap["lsoa"] < 0).any():  # cannot happen: points are sampled inside the district
        raise RuntimeError("snap point outside every LSOA")

    district_gdf = gpd.GeoDataFrame(
        {"code": [DISTRICT_CODE], "name": ["Kestrel Vale"]}, geometry=[district], crs=METRIC_CRS
    )
    return DemoGeography(
        district=district_gdf.to_crs("EPSG:4326"),
        lsoas=lsoas,
        wards=wards.to_crs("EPSG:4326"),
        estates=estates,
        snap_points=snap,
        town_centre_radius_m=tc_radius,
    )
