"""Bad boundary layers and population files (issue 12), on both engines: refused with the
feature or row named and the database unchanged, or repaired/merged and reported."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, box
from sqlalchemy import select

from csp_dash.db.schema import areas
from csp_dash.ingest.boundaries import import_boundaries, import_population
from csp_dash.ingest.errors import IngestError
from tests.policeuk_files import db_snapshot

EST_A = box(1.00, 51.70, 1.01, 51.71)
EST_B = box(1.01, 51.70, 1.02, 51.71)
BOWTIE = Polygon([(1.02, 51.70), (1.03, 51.71), (1.03, 51.70), (1.02, 51.71)])  # self-crossing


def _geojson(path: Path, codes: list[str], geoms: list, crs: str | None = "EPSG:4326") -> Path:
    gdf = gpd.GeoDataFrame({"code": codes, "name": [f"{c} estate" for c in codes]},
                           geometry=geoms, crs=crs)
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(path, driver="GeoJSON")
    return path


@pytest.fixture
def estates(engine, tmp_path: Path):
    """A good estate layer already loaded, which no bad file may replace."""
    assert import_boundaries(engine, _geojson(tmp_path / "good.geojson", ["A", "B"],
                                              [EST_A, EST_B]), "estate") == 2
    return engine


def _refused(engine, path: Path, **kwargs) -> str:
    before = db_snapshot(engine)
    with pytest.raises(IngestError) as exc:
        import_boundaries(engine, path, "estate", **kwargs)
    assert db_snapshot(engine) == before
    return str(exc.value)


def test_points_are_not_an_estate_layer(estates, tmp_path: Path):
    p = _geojson(tmp_path / "pts.geojson", ["A", "B", "C"],
                 [EST_A, Point(1.0, 51.7), Point(1.1, 51.7)])
    assert _refused(estates, p) == (
        f"{p}: feature 2 (code B) is a Point: a boundary layer must be polygons or "
        "multipolygons (2 feature(s) are not); nothing was loaded")


def test_lines_are_not_an_estate_layer(estates, tmp_path: Path):
    p = _geojson(tmp_path / "lines.geojson", ["A"], [LineString([(1.0, 51.7), (1.1, 51.8)])])
    assert _refused(estates, p) == (
        f"{p}: feature 1 (code A) is a LineString: a boundary layer must be polygons or "
        "multipolygons (1 feature(s) are not); nothing was loaded")


def _bng_geojson(path: Path) -> Path:
    """British National Grid metres, written without any CRS (as many tools do)."""
    feature = {"type": "Feature", "properties": {"code": "A", "name": "A estate"},
               "geometry": {"type": "Polygon", "coordinates": [[
                   [560000, 205000], [561000, 205000], [561000, 206000], [560000, 206000],
                   [560000, 205000]]]}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_british_national_grid_without_a_crs(estates, tmp_path: Path):
    p = _bng_geojson(tmp_path / "bng.geojson")
    assert _refused(estates, p) == (
        f"{p}: British National Grid coordinates with no CRS: give --crs EPSG:27700 (on the "
        "Data page: the CRS box)")
    assert import_boundaries(estates, p, "estate", crs="EPSG:27700") == 1
    with estates.connect() as conn:
        lon, lat, km2 = conn.execute(select(areas.c.centroid_lon, areas.c.centroid_lat,
                                            areas.c.area_km2).where(areas.c.layer == "estate")).one()
    # The square's centre (560500, 205500) converted independently by pyproj.
    want = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(560500, 205500)
    assert (lon, lat) == pytest.approx(want, abs=1e-4)
    assert km2 == pytest.approx(1.0, rel=0.01)


def test_an_unknown_crs_name(estates, tmp_path: Path):
    p = _bng_geojson(tmp_path / "bng.geojson")
    assert _refused(estates, p, crs="EPSG:nope").startswith(
        f"{p}: 'EPSG:nope' is not a coordinate reference system (")


def test_invalid_geometry_is_repaired_and_reported(estates, tmp_path: Path):
    p = _geojson(tmp_path / "bow.geojson", ["A", "W"], [EST_A, BOWTIE])
    notes: list[str] = []
    assert import_boundaries(estates, p, "estate", notes=notes) == 2
    assert notes == [f"{p}: 1 feature(s) had invalid geometry and were repaired with make_valid, "
                     "first feature 2 (code W)"]
    with estates.connect() as conn:
        km2 = dict(conn.execute(select(areas.c.code, areas.c.area_km2)
                                .where(areas.c.layer == "estate")).all())
    # The bow-tie repaired is two triangles, half the box's area: about half of A's.
    assert km2["W"] == pytest.approx(km2["A"] / 2, rel=0.01)


def test_duplicate_codes_are_merged_and_reported(estates, tmp_path: Path):
    p = _geojson(tmp_path / "dup.geojson", ["E01000001", "E01000001", "B"], [EST_A, BOWTIE, EST_B])
    notes: list[str] = []
    assert import_boundaries(estates, p, "estate", notes=notes) == 2
    assert notes[-1] == (f"{p}: 2 features share the code E01000001; each code's features "
                         "were merged into one area")


def _population(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_population_with_a_duplicate_code(estates, tmp_path: Path):
    p = _population(tmp_path / "pop.csv", "code,population\nA,100\nB,200\nA,150\n")
    before = db_snapshot(estates)
    with pytest.raises(IngestError) as exc:
        import_population(estates, p, "estate")
    assert str(exc.value) == (f"{p}: 2 rows share the code A (rows 1, 3): give each area one "
                              "population")
    assert db_snapshot(estates) == before


def test_population_codes_not_in_the_layer_are_reported(estates, tmp_path: Path):
    extra = "".join(f"X{i},5\n" for i in range(10))
    p = _population(tmp_path / "pop.csv", "code,population\nA,100\n" + extra)
    notes: list[str] = []
    assert import_population(estates, p, "estate", notes=notes) == 1
    assert notes == [
        f"{p}: 10 code(s) are not in layer 'estate' and were ignored (X0, X1, X2, X3, X4, ...)",
        f"{p}: 1 area(s) of layer 'estate' have no population (B)",
    ]
