"""The monthly cube against an independent pandas group-by, and queries.cube_counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from sqlalchemy import delete, event, func, select

from csp_dash.db import queries
from csp_dash.db.cube import H3_RESOLUTION
from csp_dash.db.schema import category_themes, cube
from csp_dash.district import declare
from csp_dash.ingest.boundaries import import_boundaries
from csp_dash.ingest.police import ingest_police
from csp_dash.vocab import DEFAULT_THEMES
from tests.policeuk_files import crime, write_street_csv

MONTHS = ["2018-01", "2018-02", "2018-03"]
CATEGORIES = ["Anti-social behaviour", "Burglary", "Drugs", "Robbery", "Vehicle crime"]
LSOAS = ["E01000001", "E01000002", "E01000003"]
# Estates as (code, lon_min, lat_min, lon_max, lat_max); "St Mary's" tests quoting.
ESTATES = [("EST-A", 1.00, 51.70, 1.01, 51.71), ("St Mary's", 1.01, 51.70, 1.02, 51.71)]


def _synthetic_rows(seed: int = 20180101) -> pd.DataFrame:
    """~600 rows: random points over and around two estates, ~10% without location, some repeats."""
    rng = np.random.default_rng(seed)
    frames = []
    for month in MONTHS:
        n = int(rng.integers(180, 220))
        lon = np.round(rng.uniform(0.995, 1.025, n), 6)
        lat = np.round(rng.uniform(51.695, 51.715, n), 6)
        # Keep points off estate edges, where "inside" would be a matter of convention.
        lon[np.isin(lon, [1.0, 1.01, 1.02])] += 1e-6
        lat[np.isin(lat, [51.70, 51.71])] += 1e-6
        df = pd.DataFrame(
            {
                "month": month,
                "lon": lon,
                "lat": lat,
                "category": rng.choice(CATEGORIES, n, p=[0.3, 0.2, 0.1, 0.1, 0.3]),
                "lsoa": rng.choice(LSOAS, n),
            }
        )  # independent of the point, as snapped data can be
        df.loc[rng.random(n) < 0.1, ["lon", "lat"]] = np.nan
        frames.append(pd.concat([df, df.iloc[:5]]))  # identical repeats are distinct reports
    rows = pd.concat(frames, ignore_index=True)
    rows.loc[rows["lon"].isna(), "lsoa"] = None
    return rows


def _estate_of(rows: pd.DataFrame) -> pd.Series:
    """Independent point-in-box test (the estates are axis-aligned boxes)."""
    out = pd.Series(None, index=rows.index, dtype=object)
    for code, x1, y1, x2, y2 in ESTATES:
        inside = (rows["lon"] > x1) & (rows["lon"] < x2) & (rows["lat"] > y1) & (rows["lat"] < y2)
        out[inside] = code
    return out


@pytest.fixture
def loaded(engine, tmp_path: Path):
    rows = _synthetic_rows()
    gdf = gpd.GeoDataFrame(
        {"code": [e[0] for e in ESTATES], "name": [e[0] for e in ESTATES]},
        geometry=[box(*e[1:]) for e in ESTATES],
        crs="EPSG:4326",
    )
    gdf.to_file(tmp_path / "estates.geojson")
    import_boundaries(engine, tmp_path / "estates.geojson", "estate")
    paths = []
    for month, g in rows.groupby("month"):
        paths.append(
            write_street_csv(
                tmp_path,
                month,
                [
                    crime(
                        month,
                        r.category,
                        None if np.isnan(r.lon) else r.lon,
                        None if np.isnan(r.lat) else r.lat,
                        lsoa=r.lsoa or "",
                        crime_id=f"c{i}",
                    )
                    for i, r in enumerate(g.itertuples())
                ],
            )
        )
    report = ingest_police(engine, paths)
    assert report.total("rows") == len(rows) and report.total("rejected") == 0
    rows["month"] = pd.to_datetime(rows["month"])
    rows["estate"] = _estate_of(rows)
    rows["theme"] = rows["category"].map(DEFAULT_THEMES)
    rows["h3"] = [
        None if np.isnan(x) else h3.latlng_to_cell(y, x, H3_RESOLUTION)
        for x, y in zip(rows["lon"], rows["lat"], strict=True)
    ]
    return engine, rows


def _cube_rows(engine, layer: str) -> list[tuple]:
    with engine.connect() as conn:
        got = conn.execute(
            select(cube.c.month, cube.c.area_code, cube.c.category, cube.c["count"]).where(
                cube.c.layer == layer
            )
        ).all()
    return sorted((pd.Timestamp(m), a, c, int(n)) for m, a, c, n in got)


def _expected(rows: pd.DataFrame, area_col: str | None) -> list[tuple]:
    keys = ["month", area_col, "category"] if area_col else ["month", "category"]
    g = rows.dropna(subset=[area_col]) if area_col else rows
    counts = g.groupby(keys).size()
    if not area_col:
        return sorted((m, "all", c, int(n)) for (m, c), n in counts.items())
    return sorted((m, a, c, int(n)) for (m, a, c), n in counts.items())


def test_cube_equals_a_pandas_group_by(loaded):
    engine, rows = loaded
    assert (
        rows["lon"].isna().sum() > 30 and rows["estate"].isna().sum() > 100
    )  # data exercises both
    # No district and no LSOAs loaded: "all" is every located record; the rest has its own line.
    located = rows["lon"].notna()
    assert _cube_rows(engine, "all") == _expected(rows[located], None)
    assert _cube_rows(engine, "_no_location") == _expected(rows[~located], None)
    assert _cube_rows(engine, "lsoa") == _expected(rows, "lsoa")
    assert _cube_rows(engine, "estate") == _expected(rows, "estate")
    # With no district in effect the cells layer is not built: it would grow with every row
    # loaded (docs/methods.md, "The cube's size").
    assert _cube_rows(engine, "h3") == []
    with engine.connect() as conn:
        layers = set(conn.execute(select(cube.c.layer).distinct()).scalars())
    assert layers == {"all", "lsoa", "estate", "_no_location"}


def test_cube_holds_only_the_district_and_equals_its_rows_for_every_layer(loaded):
    engine, rows = loaded
    declare.from_lsoa_codes(engine, LSOAS[:2], "Two LSOAs", "test")
    mine = rows[rows["lsoa"].isin(LSOAS[:2])]
    assert 0 < len(mine) < len(rows[rows["lon"].notna()])  # the district leaves rows out
    for layer, col in (("all", None), ("lsoa", "lsoa"), ("estate", "estate"), ("h3", "h3")):
        assert _cube_rows(engine, layer) == _expected(mine, col), layer
    assert mine["h3"].nunique() > 20  # many cells, so the check has teeth
    outside = rows[rows["lon"].notna() & ~rows["lsoa"].isin(LSOAS[:2])]
    assert _cube_rows(engine, "_outside") == [
        (m, "all", c, n) for m, _, c, n in _expected(outside, None)]
    # Whole-area totals: the district, what it leaves out and the unlocated add up to the rows.
    with engine.connect() as conn:
        total = conn.execute(select(func.sum(cube.c["count"])).where(
            cube.c.layer.in_(["all", "_outside", "_no_location"]))).scalar()
    assert total == len(rows)
    # The cells layer is a small fraction of the rows: one row per cell, month and category.
    assert len(_cube_rows(engine, "h3")) <= len(mine)
    declare.clear(engine)  # no district again: the cells layer goes
    assert _cube_rows(engine, "h3") == []


def test_cube_counts_groupings(loaded):
    engine, rows = loaded
    got = queries.cube_counts(engine)  # default: month x category over the whole area
    want = rows[rows["lon"].notna()].groupby(["month", "category"]).size().reset_index(name="count")
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    got = queries.cube_counts(engine, layer="estate", by=["area", "theme"])
    want = (
        rows.dropna(subset=["estate"])
        .groupby(["estate", "theme"])
        .size()
        .reset_index(name="count")
        .rename(columns={"estate": "area"})
    )
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    got = queries.cube_counts(engine, layer="lsoa", by=[])
    assert got["count"].tolist() == [rows["lsoa"].notna().sum()]
    with pytest.raises(ValueError) as exc:
        queries.cube_counts(engine, by=["month", "ward"])
    assert str(exc.value) == "cannot group by ward; choose from month, category, area, theme"


def test_cube_counts_filters(loaded):
    engine, rows = loaded
    feb_mar = rows[rows["month"] >= "2018-02-01"]
    got = queries.cube_counts(
        engine,
        layer="estate",
        by=["month"],
        areas_in=["St Mary's"],
        categories=["Burglary", "Drugs"],
        start=date(2018, 2, 1),
    )
    sel = feb_mar[
        (feb_mar["estate"] == "St Mary's") & feb_mar["category"].isin(["Burglary", "Drugs"])
    ]
    assert got["count"].tolist() == sel.groupby("month").size().tolist()
    assert got["month"].dt.strftime("%Y-%m").tolist() == ["2018-02", "2018-03"]
    got = queries.cube_counts(engine, by=["category"], end=date(2018, 1, 1))
    assert got.set_index("category")["count"].to_dict() == (
        rows[(rows["month"] == "2018-01-01") & rows["lon"].notna()].groupby("category").size()
        .to_dict()
    )
    got = queries.cube_counts(
        engine, layer="lsoa", by=["area"], areas_in=["E01000002", "E01000003"]
    )
    assert got.set_index("area")["count"].to_dict() == (
        rows[rows["lsoa"].isin(["E01000002", "E01000003"])].groupby("lsoa").size().to_dict()
    )
    assert queries.cube_counts(engine, by=["month"], areas_in=[]).empty


def test_theme_grouping_follows_the_editable_table(loaded):
    engine, rows = loaded
    with engine.begin() as conn:
        conn.execute(delete(category_themes).where(category_themes.c.category == "Drugs"))
    got = queries.cube_counts(engine, by=["theme"]).set_index("theme")["count"].to_dict()
    rows = rows[rows["lon"].notna()]
    want = rows["theme"].where(rows["category"] != "Drugs", "Unmapped").value_counts().to_dict()
    assert got == want and got["Unmapped"] == (rows["category"] == "Drugs").sum()


def test_cube_counts_sends_user_values_as_bound_parameters(loaded):
    engine, rows = loaded
    seen: list[tuple[str, str]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, repr(parameters)))

    hostile = "x'); DROP TABLE cube; --"
    event.listen(engine, "before_cursor_execute", capture)
    try:
        got = queries.cube_counts(
            engine,
            layer="estate",
            by=["area"],
            areas_in=["St Mary's"],
            categories=["Robbery", hostile],
            start=date(2018, 1, 1),
        )
        assert queries.cube_counts(engine, layer=hostile, by=["month"]).empty
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    # The quote in "St Mary's" would break SQL pasted as text; as a parameter it just matches.
    want = ((rows["estate"] == "St Mary's") & (rows["category"] == "Robbery")).sum()
    assert got.to_dict("records") == [{"area": "St Mary's", "count": want}]
    queries_run = [(s, p) for s, p in seen if "FROM cube" in s]
    assert len(queries_run) == 2
    for statement, _ in queries_run:
        for value in ("St Mary", "DROP TABLE", "Robbery", "estate", "2018"):
            assert value not in statement
    first_params, second_params = queries_run[0][1], queries_run[1][1]
    assert "St Mary's" in first_params and hostile in first_params and "Robbery" in first_params
    assert hostile in second_params
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cube)).scalar() > 0  # still there


def test_cells_view_without_a_district_says_how_to_get_cells(loaded):
    from csp_dash.harm import default_weights
    from csp_dash.hotspots.analysis import HotspotQuery, analyse

    engine, _ = loaded
    q = HotspotQuery(layer="estate", categories=None, current=(date(2018, 1, 1), date(2018, 3, 1)),
                     unit="cells")
    with pytest.raises(ValueError, match="declare it"):
        analyse(engine, q, default_weights("equal"))


def test_the_column_read_equals_the_row_read(loaded, monkeypatch):
    """cube_counts reads DuckDB column by column (db/queries._read_columns): the same frame as
    SQLAlchemy's row-by-row read, with list filters expanded into bound parameters (a quote in
    a name stays a value, never SQL)."""
    engine, _ = loaded
    calls = [
        {"layer": "estate", "by": ["month", "area", "category"],
         "areas_in": ["St Mary's", "x') OR 1=1 --"], "categories": ["Burglary", "Drugs"],
         "start": date(2018, 2, 1), "end": date(2018, 3, 1)},
        {"by": ["month", "theme"]},
        {"layer": "lsoa", "by": ["area"], "categories": []},
    ]
    fast = [queries.cube_counts(engine, **kw) for kw in calls]
    monkeypatch.setattr(queries, "_read_columns", queries._read)
    slow = [queries.cube_counts(engine, **kw) for kw in calls]
    assert len(fast[0]) > 0 and len(fast[1]) > 0 and fast[2].empty
    for got, want in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        assert list(got.columns) == list(want.columns)
    assert str(fast[0]["month"].dtype) == str(slow[0]["month"].dtype)
