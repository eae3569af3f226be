"""Boundaries, populations, area assignment and schema creation, on DuckDB and PostgreSQL."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, box
from sqlalchemy import func, insert, select, update

from csp_dash.db import queries
from csp_dash.db.engine import init_db
from csp_dash.db.schema import SCHEMA_VERSION, category_themes, location_areas, schema_meta
from csp_dash.ingest.boundaries import INTERPOLATED, import_boundaries, import_population
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.police import ingest_police
from csp_dash.vocab import DEFAULT_THEMES
from tests.policeuk_files import crime, db_snapshot, month_rows, write_street_csv

# Two estates side by side (degrees), and hand-placed crimes: which estate each lands in.
EST_A = box(1.00, 51.70, 1.01, 51.71)
EST_B = box(1.01, 51.70, 1.02, 51.71)
POINTS = {  # name: (lon, lat, estate it lies in, CSV LSOA code)
    "a": (1.002, 51.702, "EST-A", "E01000001"),
    "b": (1.008, 51.708, "EST-A", "E01000002"),  # CSV says LSOA 2; the point lies in LSOA 1
    "c": (1.015, 51.705, "EST-B", "E01000002"),
    "d": (1.050, 51.750, None, "E01000003"),  # outside every estate
}


def _write(
    path: Path,
    codes: list[str],
    geoms: list,
    crs: str = "EPSG:4326",
    fields: tuple[str, str] = ("code", "name"),
    names: list[str] | None = None,
) -> Path:
    names = names or [f"{c} estate" for c in codes]
    gdf = gpd.GeoDataFrame({fields[0]: codes, fields[1]: names}, geometry=geoms, crs=crs)
    path.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(path)
    return path


def _zip_shapefile(folder: Path, codes: list[str], geoms: list, keep_prj: bool = True) -> Path:
    shp = _write(folder / "shp" / "estates.shp", codes, geoms)
    archive = folder / "estates.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(shp.parent.iterdir()):
            if keep_prj or f.suffix != ".prj":
                zf.write(f, f.name)
    return archive


def _crimes_file(folder: Path, month: str = "2018-01") -> Path:
    rows = [
        crime(month, lon=lon, lat=lat, lsoa=lsoa, crime_id=k)
        for k, (lon, lat, _, lsoa) in POINTS.items()
    ]
    rows.append(crime(month, lon=None, lat=None, crime_id="e"))  # no location: in no estate
    return write_street_csv(folder, month, rows)


def _by_area(engine, layer: str) -> dict[str, int]:
    df = queries.cube_counts(engine, layer=layer, by=["area"])
    return dict(zip(df["area"], df["count"], strict=True))


def _assigned(engine, layer: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(location_areas.c.location_key, location_areas.c.area_code).where(
                location_areas.c.layer == layer
            )
        ).all()
    return {r.location_key: r.area_code for r in rows}


# --- boundary files -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp.zip"])
def test_boundary_formats(engine, tmp_path: Path, fmt: str):
    codes, geoms = ["EST-A", "EST-B"], [EST_A, EST_B]
    if fmt == "shp.zip":
        path = _zip_shapefile(tmp_path, codes, geoms)
    else:
        path = _write(tmp_path / f"estates.{fmt}", codes, geoms)
    assert import_boundaries(engine, path, "estate") == 2
    got = queries.area_table(engine, "estate", with_geometry=True)
    assert got["code"].tolist() == ["EST-A", "EST-B"]
    assert got["name"].tolist() == ["EST-A estate", "EST-B estate"]
    for geom_json, expected in zip(got["geometry"], geoms, strict=True):
        stored = shapely.normalize(shapely.from_geojson(geom_json))
        assert stored.equals_exact(shapely.normalize(expected), 1e-9)  # shapefiles reorient rings
    # A 0.01 x 0.01 degree box at 51.705N: 0.01 * 111.32 km * cos(51.705) wide (0.690 km) by
    # 0.01 * 111.25 km (a degree of latitude there) tall: about 0.767 km2.
    width = 1.1132 * math.cos(math.radians(51.705))
    assert got["area_km2"].iloc[0] == pytest.approx(width * 1.1125, rel=3e-3)
    assert got["centroid_lon"].iloc[0] == pytest.approx(1.005, abs=1e-5)
    layer = queries.layer_table(engine)
    assert layer[
        ["layer", "n_areas", "source_file", "code_field", "name_field"]
    ].values.tolist() == [["estate", 2, path.name, "code", "name"]]


def test_british_national_grid_is_reprojected_to_wgs84(engine, tmp_path: Path):
    # A 1 km square in EPSG:27700 (near Chelmsford), written with its own CRS.
    square = box(570000, 206000, 571000, 207000)
    gdf = gpd.GeoDataFrame(
        {"code": ["SQ"], "name": ["Square"]}, geometry=[square], crs="EPSG:27700"
    )
    path = tmp_path / "bng.gpkg"
    gdf.to_file(path)
    import_boundaries(engine, path, "estate")
    got = queries.area_table(engine, "estate", with_geometry=True)
    stored = shapely.from_geojson(got["geometry"].iloc[0])
    to_wgs = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    corners = [to_wgs.transform(x, y) for x, y in square.exterior.coords]
    for got_xy, want_xy in zip(stored.exterior.coords, corners, strict=True):
        assert got_xy == pytest.approx(want_xy, abs=1e-9)
    assert 0.4 < corners[0][0] < 0.6 and 51.6 < corners[0][1] < 51.8  # really moved to degrees
    assert got["area_km2"].iloc[0] == pytest.approx(1.0, rel=2e-3)  # 1 km2 on either projection
    # A crime at the square's centre lands in it.
    cx, cy = to_wgs.transform(570500, 206500)
    ingest_police(engine, [write_street_csv(tmp_path, "2018-01", [crime(lon=cx, lat=cy)])])
    assert _by_area(engine, "estate") == {"SQ": 1}


def test_code_and_name_fields_are_chosen(engine, tmp_path: Path):
    path = _write(
        tmp_path / "e.geojson",
        ["A1", "B2"],
        [EST_A, EST_B],
        fields=("estate_id", "label"),
        names=["Alpha", "Beta"],
    )
    import_boundaries(engine, path, "estate", code_field="estate_id", name_field="label")
    got = queries.area_table(engine, "estate")
    assert got[["code", "name"]].values.tolist() == [["A1", "Alpha"], ["B2", "Beta"]]
    layer = queries.layer_table(engine).iloc[0]
    assert (layer["code_field"], layer["name_field"]) == ("estate_id", "label")


def test_ons_field_names_are_guessed(engine, tmp_path: Path):
    path = _write(
        tmp_path / "lsoa.geojson",
        ["E01000001", "E01000002"],
        [EST_A, EST_B],
        fields=("LSOA11CD", "LSOA11NM"),
        names=["Testshire 001A", "Testshire 001B"],
    )
    import_boundaries(engine, path, "lsoa")
    got = queries.area_table(engine, "lsoa")
    assert got[["code", "name"]].values.tolist() == [
        ["E01000001", "Testshire 001A"],
        ["E01000002", "Testshire 001B"],
    ]


def test_name_defaults_to_the_code(engine, tmp_path: Path):
    path = _write(tmp_path / "e.geojson", ["A1", "B2"], [EST_A, EST_B], fields=("id", "colour"))
    import_boundaries(engine, path, "estate")
    assert queries.area_table(engine, "estate")[["code", "name"]].values.tolist() == [
        ["A1", "A1"],
        ["B2", "B2"],
    ]


def test_boundary_errors_leave_the_database_unchanged(engine, tmp_path: Path):
    ingest_police(engine, [_crimes_file(tmp_path)])
    good = _write(tmp_path / "e.geojson", ["A1"], [EST_A], fields=("ref", "label"))
    before = db_snapshot(engine)
    cases = [
        (
            dict(layer="estate", code_field="nope"),
            f"{good}: has no code field 'nope' (fields: ref, label)",
        ),
        (
            dict(layer="estate", code_field="ref", name_field="title"),
            f"{good}: has no name field 'title' (fields: ref, label)",
        ),
        (
            dict(layer="estate"),
            f"{good}: choose the code field with --code-field (fields: ref, label)",
        ),
        (
            dict(layer="all", code_field="ref"),
            f"{good}: 'all' is not a usable layer name (lower case letters, digits, _)",
        ),
        (
            dict(layer="My Estates", code_field="ref"),
            f"{good}: 'My Estates' is not a usable layer name (lower case letters, digits, _)",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(IngestError) as exc:
            import_boundaries(engine, good, **kwargs)
        assert str(exc.value) == message
    no_crs = _zip_shapefile(tmp_path / "z", ["A1"], [EST_A], keep_prj=False)
    with pytest.raises(IngestError) as exc:
        import_boundaries(engine, no_crs, "estate")
    assert (
        str(exc.value)
        == f"{no_crs}: has no coordinate reference system; cannot place it on the map"
        " (give one with --crs, e.g. EPSG:27700 for British National Grid)"
    )
    junk = tmp_path / "junk.geojson"
    junk.write_text("not geojson")
    with pytest.raises(IngestError) as exc:
        import_boundaries(engine, junk, "estate")
    assert str(exc.value).startswith(
        f"{junk}: cannot be read as GeoJSON, GeoPackage or zipped shapefile ("
    )
    assert db_snapshot(engine) == before


def test_h3_is_not_a_usable_boundary_layer_name(engine, tmp_path: Path):
    path = _write(tmp_path / "e.geojson", ["EST-A"], [EST_A])
    with pytest.raises(IngestError) as exc:
        import_boundaries(engine, path, "h3")
    assert (
        str(exc.value) == f"{path}: 'h3' is not a usable layer name (lower case letters, digits, _)"
    )


# --- assignment of crimes to areas ----------------------------------------------------------


def test_point_in_polygon_assigns_crimes_to_estates(engine, tmp_path: Path):
    import_boundaries(
        engine, _write(tmp_path / "e.geojson", ["EST-A", "EST-B"], [EST_A, EST_B]), "estate"
    )
    ingest_police(engine, [_crimes_file(tmp_path)])  # crimes after the layer
    # a, b in EST-A; c in EST-B; d outside and the no-location row: in no estate.
    assert _by_area(engine, "estate") == {"EST-A": 2, "EST-B": 1}
    # No district declared and no LSOAs loaded: every located record; the one with no location
    # is counted on its own line, never in an area's figures.
    assert _by_area(engine, "all") == {"all": 4}
    assert _by_area(engine, "_no_location") == {"all": 1}
    assigned = sorted(_assigned(engine, "estate").values())
    assert assigned == ["", "EST-A", "EST-A", "EST-B"]  # "" marks the point outside every estate


def test_lsoa_layer_uses_the_csv_code_not_the_polygon(engine, tmp_path: Path):
    lsoas = [box(1.00, 51.70, 1.012, 51.71), box(1.012, 51.70, 1.04, 51.71)]
    import_boundaries(
        engine, _write(tmp_path / "l.geojson", ["E01000001", "E01000002"], lsoas), "lsoa"
    )
    ingest_police(engine, [_crimes_file(tmp_path)])
    # Point b lies in polygon E01000001, but police.uk's CSV says E01000002: the CSV wins. The
    # loaded LSOAs are the district (none declared): E01000003's record is outside it.
    assert _by_area(engine, "lsoa") == {"E01000001": 1, "E01000002": 2}
    assert _by_area(engine, "_outside") == {"all": 1}
    assert _assigned(engine, "lsoa") == {}  # never point-in-polygon
    # Re-importing the LSOA boundaries keeps the CSV codes.
    import_boundaries(
        engine, _write(tmp_path / "l2.geojson", ["E01000001"], [box(0, 51, 2, 52)]), "lsoa"
    )
    assert _by_area(engine, "lsoa") == {"E01000001": 1}  # the district is now that one LSOA


def test_adding_then_replacing_a_layer_reassigns_loaded_crimes(engine, tmp_path: Path):
    ingest_police(engine, [_crimes_file(tmp_path)])  # crimes before any layer
    assert _by_area(engine, "estate") == {}
    import_boundaries(
        engine, _write(tmp_path / "v1.geojson", ["EST-A", "EST-B"], [EST_A, EST_B]), "estate"
    )
    assert _by_area(engine, "estate") == {"EST-A": 2, "EST-B": 1}
    # Replace: one estate covering a, b and c; a new one around d; EST-B is gone.
    v2 = _write(
        tmp_path / "v2.geojson",
        ["EST-A", "EST-D"],
        [box(1.00, 51.70, 1.02, 51.71), box(1.04, 51.74, 1.06, 51.76)],
    )
    import_boundaries(engine, v2, "estate")
    assert _by_area(engine, "estate") == {"EST-A": 3, "EST-D": 1}
    assert sorted(_assigned(engine, "estate").values()) == ["EST-A", "EST-A", "EST-A", "EST-D"]
    assert queries.area_table(engine, "estate")["code"].tolist() == ["EST-A", "EST-D"]
    # New crimes at known points reuse the assignment; at a new point they get one.
    ingest_police(
        engine,
        [
            write_street_csv(
                tmp_path,
                "2018-02",
                [crime("2018-02", lon=1.002, lat=51.702), crime("2018-02", lon=1.051, lat=51.751)],
            )
        ],
    )
    feb = queries.cube_counts(engine, layer="estate", by=["month", "area"])
    feb = feb[feb["month"] == "2018-02-01"]
    assert feb[["area", "count"]].values.tolist() == [["EST-A", 1], ["EST-D", 1]]


def test_two_point_layers_are_independent(engine, tmp_path: Path):
    import_boundaries(
        engine, _write(tmp_path / "e.geojson", ["EST-A", "EST-B"], [EST_A, EST_B]), "estate"
    )
    import_boundaries(
        engine, _write(tmp_path / "w.geojson", ["W1"], [box(0.9, 51.6, 1.1, 51.8)]), "ward"
    )
    ingest_police(engine, [_crimes_file(tmp_path)])
    assert _by_area(engine, "estate") == {"EST-A": 2, "EST-B": 1}
    assert _by_area(engine, "ward") == {"W1": 4}


# --- population -----------------------------------------------------------------------------

# LSOAs built in metres (UTM 31N, where these coordinates lie) so overlaps are exact fractions.
UTM = "EPSG:32631"
X0, Y0 = 400_000, 5_730_000


def _m(x1: float, y1: float, x2: float, y2: float) -> Polygon:
    return box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


LSOA_A, LSOA_B = _m(0, 0, 1000, 1000), _m(1000, 0, 2000, 1000)
# Estate X: the east half of A (500 x 1000 m) plus the south-west quarter of B (500 x 500 m).
ESTATE_X = Polygon(
    [
        (X0 + 500, Y0),
        (X0 + 1500, Y0),
        (X0 + 1500, Y0 + 500),
        (X0 + 1000, Y0 + 500),
        (X0 + 1000, Y0 + 1000),
        (X0 + 500, Y0 + 1000),
    ]
)
ESTATE_Y = _m(1500, 500, 2000, 1000)  # the north-east quarter of B


def _population_csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize("order", ["population_first", "estates_first"])
def test_estate_population_is_interpolated_by_area(engine, tmp_path: Path, order: str):
    import_boundaries(
        engine, _write(tmp_path / "l.gpkg", ["A", "B"], [LSOA_A, LSOA_B], crs=UTM), "lsoa"
    )
    pop = _population_csv(
        tmp_path / "pop.csv", "code,population,households\nA,1000,400\nB,2000,900\n"
    )
    estates = _write(tmp_path / "e.gpkg", ["X", "Y"], [ESTATE_X, ESTATE_Y], crs=UTM)
    if order == "population_first":
        assert import_population(engine, pop, "lsoa") == 2
        import_boundaries(engine, estates, "estate")
    else:
        import_boundaries(engine, estates, "estate")
        assert import_population(engine, pop, "lsoa") == 2
    got = queries.area_table(engine, "estate").set_index("code")
    # X: half of A's 1,000 (500) + a quarter of B's 2,000 (500) = 1,000 people;
    #    households 400 / 2 + 900 / 4 = 425. Y: a quarter of B = 500 people, 225 households.
    assert got.loc["X", "population"] == pytest.approx(1000, rel=1e-4)
    assert got.loc["Y", "population"] == pytest.approx(500, rel=1e-4)
    assert got.loc["X", "households"] == pytest.approx(425, rel=1e-4)
    assert got.loc["Y", "households"] == pytest.approx(225, rel=1e-4)
    layers = queries.layer_table(engine).set_index("layer")
    assert layers.loc["estate", "population_source"] == INTERPOLATED
    assert layers.loc["lsoa", "population_source"] == "imported from pop.csv"
    assert queries.area_table(engine, "lsoa")["population"].tolist() == [1000, 2000]


def test_replacing_estates_reinterpolates_population(engine, tmp_path: Path):
    import_boundaries(
        engine, _write(tmp_path / "l.gpkg", ["A", "B"], [LSOA_A, LSOA_B], crs=UTM), "lsoa"
    )
    import_population(
        engine, _population_csv(tmp_path / "p.csv", "code,population\nA,1000\nB,2000\n"), "lsoa"
    )
    import_boundaries(
        engine, _write(tmp_path / "e1.gpkg", ["X", "Y"], [ESTATE_X, ESTATE_Y], crs=UTM), "estate"
    )
    assert queries.area_table(engine, "estate").set_index("code").loc[
        "Y", "population"
    ] == pytest.approx(500, rel=1e-4)
    # Y grows to the whole of B: 2,000 people.
    import_boundaries(
        engine, _write(tmp_path / "e2.gpkg", ["X", "Y"], [ESTATE_X, LSOA_B], crs=UTM), "estate"
    )
    got = queries.area_table(engine, "estate").set_index("code")
    assert got.loc["Y", "population"] == pytest.approx(2000, rel=1e-4)  # stays 500 today
    assert (
        queries.layer_table(engine).set_index("layer").loc["estate", "population_source"]
        == INTERPOLATED
    )


def test_imported_population_survives_a_boundary_replacement(engine, tmp_path: Path):
    import_boundaries(
        engine, _write(tmp_path / "e.geojson", ["EST-A", "EST-B"], [EST_A, EST_B]), "estate"
    )
    import_population(
        engine, _population_csv(tmp_path / "p.csv", "code,population\nEST-A,700\n"), "estate"
    )
    import_boundaries(
        engine, _write(tmp_path / "e2.geojson", ["EST-A", "EST-C"], [EST_A, EST_B]), "estate"
    )
    got = queries.area_table(engine, "estate").set_index("code")["population"]
    assert got["EST-A"] == 700 and got.isna()["EST-C"]


def test_population_import_and_its_errors(engine, tmp_path: Path):
    import_boundaries(engine, _write(tmp_path / "l.geojson", ["A", "B"], [EST_A, EST_B]), "lsoa")
    ok = _population_csv(tmp_path / "ok.csv", 'LSOA11CD,mid2018_population\nA,"1,234"\nZ,99\n')
    assert import_population(engine, ok, "lsoa") == 1  # Z is not in the layer
    got = queries.area_table(engine, "lsoa").set_index("code")["population"]
    assert got["A"] == 1234 and got.isna()["B"]
    before = db_snapshot(engine)
    header = "code,population,households\n"
    cases = [
        (
            "a.csv",
            header + "A,10,4\n",
            dict(population_field="people"),
            "{p}: has no population field 'people' (fields: code, population, households)",
        ),
        (
            "b.csv",
            "code,residents\nA,10\n",
            {},
            "{p}: choose the population field with --population-field (fields: code, residents)",
        ),
        (
            "c.csv",
            header + "A,10,4\nB,about 50,5\n",
            {},
            "{p}, row 2 (line 3): population 'about 50' is not a number of people",
        ),
        (
            "d.csv",
            header + "A,-5,4\n",
            {},
            "{p}, row 1 (line 2): population '-5' is not a number of people",
        ),
        ("e.csv", header + "Q,10,4\nR,20,5\n", {}, "{p}: none of its 2 codes match layer 'lsoa'"),
        (
            "f.csv",
            header + "A,10,4\n",
            dict(layer="ward"),
            "{p}: layer 'ward' has no areas: import its boundaries first",
        ),
        ("g.csv", "", {}, "{p}: cannot be read as a UTF-8 CSV (No columns to parse from file)"),
    ]
    for name, text, kwargs, message in cases:
        p = _population_csv(tmp_path / name, text)
        with pytest.raises(IngestError) as exc:
            import_population(engine, p, kwargs.pop("layer", "lsoa"), **kwargs)
        assert str(exc.value) == message.format(p=p)
    assert db_snapshot(engine) == before


def test_population_error_quotes_the_cell_as_written(engine, tmp_path: Path):
    import_boundaries(engine, _write(tmp_path / "l.geojson", ["A", "B"], [EST_A, EST_B]), "lsoa")
    p = _population_csv(tmp_path / "pop.csv", "code,population\nA,10\nB,n/a\n")
    with pytest.raises(IngestError) as exc:
        import_population(engine, p, "lsoa")
    assert str(exc.value) == f"{p}, row 2 (line 3): population 'n/a' is not a number of people"


# --- schema ---------------------------------------------------------------------------------


def test_init_db_is_idempotent_and_records_the_version(engine, tmp_path: Path):
    ingest_police(engine, [write_street_csv(tmp_path, "2018-01", month_rows("2018-01", 3))])
    before = db_snapshot(engine)
    init_db(engine)
    init_db(engine)
    assert db_snapshot(engine) == before
    with engine.connect() as conn:
        version = conn.execute(select(schema_meta.c.value)
                               .where(schema_meta.c.key == "schema_version")).scalar()
        assert int(version) == SCHEMA_VERSION >= 1
        keys = sorted(conn.execute(select(schema_meta.c.key)).scalars())
        n_themes = conn.execute(select(func.count()).select_from(category_themes)).scalar()
    assert keys == ["created_at", "data_version", "schema_version"]  # the ingest moved the data version
    assert n_themes == len(DEFAULT_THEMES) == 14


def test_init_db_keeps_edited_themes_and_refuses_a_newer_schema(engine):
    with engine.begin() as conn:
        conn.execute(
            update(category_themes)
            .where(category_themes.c.category == "Drugs")
            .values(theme="Drugs and exploitation")
        )
        conn.execute(
            insert(category_themes).values(category="Fraud", theme="Other crime", sort_order=99)
        )
    init_db(engine)
    themes = queries.theme_table(engine).set_index("category")["theme"]
    assert themes["Drugs"] == "Drugs and exploitation" and themes["Fraud"] == "Other crime"
    with engine.begin() as conn:
        conn.execute(
            update(schema_meta)
            .where(schema_meta.c.key == "schema_version")
            .values(value=str(SCHEMA_VERSION + 1))
        )
    with pytest.raises(RuntimeError) as exc:
        init_db(engine)
    assert str(exc.value) == (
        f"The database has schema version {SCHEMA_VERSION + 1}, newer than this "
        f"CSP Dash ({SCHEMA_VERSION}). Upgrade CSP Dash."
    )


def test_polygons_sharing_a_code_become_one_area(engine, tmp_path: Path):
    # An estate in two parts (e.g. split by a main road) is one area.
    path = _write(
        tmp_path / "e.geojson",
        ["EST-A", "EST-A", "EST-B"],
        [EST_A, box(1.04, 51.74, 1.06, 51.76), box(1.2, 51.8, 1.3, 51.9)],
    )
    assert import_boundaries(engine, path, "estate") == 2
    ingest_police(engine, [_crimes_file(tmp_path)])
    assert _by_area(engine, "estate") == {"EST-A": 3}  # a, b and d (in the second part)
