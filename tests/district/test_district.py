"""The district: declared once, every figure counts only its records, the rest is counted and
said; demo and own data never mix; deprivation by decile."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from sqlalchemy import func, select

from csp_dash import config
from csp_dash.cli.commands import main as cli_main
from csp_dash.db import queries
from csp_dash.db.cube import NO_LOCATION_LAYER, OUTSIDE_LAYER
from csp_dash.db.district import DECLARED, EVERYTHING, PROPOSED
from csp_dash.db.engine import make_engine
from csp_dash.db.schema import crimes
from csp_dash.district import declare
from csp_dash.district.coverage import coverage
from csp_dash.district.deprivation import crime_by_decile, import_deprivation
from csp_dash.hotspots.analysis import HotspotQuery, analyse
from csp_dash.ingest.boundaries import import_boundaries, import_population
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.police import ingest_police
from csp_dash.overview.headlines import build_headlines
from csp_dash.trends.queries import area_population
from tests.policeuk_files import crime, db_snapshot, write_street_csv

# Two districts side by side in one force: "Ours" (E01000001-2) and "Theirs" (E01000003).
LSOAS = {"E01000001": (0.0, 51.0), "E01000002": (0.1, 51.0), "E01000003": (0.2, 51.0)}
POP = {"E01000001": 1000, "E01000002": 3000, "E01000003": 5000}


def _lsoa_file(folder: Path) -> Path:
    gdf = gpd.GeoDataFrame(
        {"code": list(LSOAS), "name": [f"Ours {c[-3:]}A" if c != "E01000003" else "Theirs 003A"
                                       for c in LSOAS]},
        geometry=[box(x, y, x + 0.1, y + 0.1) for x, y in LSOAS.values()], crs="EPSG:4326")
    path = folder / "lsoa.geojson"
    gdf.to_file(path)
    return path


def _force(folder: Path) -> Path:
    """Three months: per month 5 records in E01000001, 3 in E01000002, 7 in E01000003 and 2
    with no location."""
    for month in ("2024-01", "2024-02", "2024-03"):
        rows = []
        for code, n in (("E01000001", 5), ("E01000002", 3), ("E01000003", 7)):
            x, y = LSOAS[code]
            rows += [crime(month, "Burglary" if i % 2 else "Drugs", lon=x + 0.05, lat=y + 0.05,
                           lsoa=code, crime_id=f"{month}-{code}-{i}") for i in range(n)]
        rows += [crime(month, "Robbery", lon=None, lat=None, lsoa="", crime_id=f"{month}-n{i}")
                 for i in range(2)]
        write_street_csv(folder / "street", month, rows)
    return folder / "street"


@pytest.fixture
def force(engine, tmp_path: Path):
    import_boundaries(engine, _lsoa_file(tmp_path), "lsoa", "code", "name")
    pd.DataFrame({"code": list(POP), "population": list(POP.values())}).to_csv(
        tmp_path / "pop.csv", index=False)
    import_population(engine, tmp_path / "pop.csv", "lsoa", "code", "population")
    ingest_police(engine, [_force(tmp_path)])
    return engine


def _total(engine, layer="all") -> int:
    return int(queries.cube_counts(engine, layer=layer, by=())["count"].sum())


def test_proposed_then_declared_district_counts_only_its_records(force, tmp_path):
    eng = force
    cov = coverage(eng)
    assert cov.status == PROPOSED and cov.n_lsoas == 3
    assert (cov.inside, cov.outside, cov.no_location) == (45, 0, 6)
    (tmp_path / "ours.txt").write_text("E01000001\nE01000002\n")
    n = declare.from_lsoa_codes(eng, declare.read_code_file(tmp_path / "ours.txt"), "Ours",
                                "ours.txt")
    assert n == 2
    cov = coverage(eng)
    assert cov.status == DECLARED and (cov.inside, cov.outside, cov.no_location) == (24, 21, 6)
    assert cov.sentence == ("24 records in Ours; 21 elsewhere in Essex, not counted; 6 with no "
                            "location, not in any area figure.")
    # Every layer holds the district only; records outside are kept in the database.
    assert _total(eng) == 24 and _total(eng, "lsoa") == 24
    assert set(queries.cube_counts(eng, layer="lsoa", by=("area",))["area"]) == {
        "E01000001", "E01000002"}
    assert _total(eng, OUTSIDE_LAYER) == 21 and _total(eng, NO_LOCATION_LAYER) == 6
    with eng.connect() as conn:
        assert conn.execute(select(func.count()).select_from(crimes)).scalar() == 51
    # Rates divide by the district's residents (1,000 + 3,000), not every LSOA loaded.
    assert area_population(eng, "all", None).residents == 4000
    assert area_population(eng, "lsoa", None).residents == 4000
    # Hotspots analyse the district's LSOAs only.
    hot = analyse(eng, HotspotQuery("lsoa", None, (date(2024, 1, 1), date(2024, 3, 1))),
                  pd.Series(1.0, index=queries.theme_table(eng)["category"]))
    assert list(hot.table.index) == ["E01000001", "E01000002"]
    assert int(hot.table["count"].sum()) == 24
    declare.clear(eng)
    assert coverage(eng).status == PROPOSED and _total(eng) == 45


def test_coverage_of_a_period_sums_only_its_months(force, tmp_path):
    """Per month the fixture writes 5 + 3 records in Ours, 7 in Theirs and 2 with no location."""
    eng = force
    declare.from_name_prefix(eng, "Ours")
    one = coverage(eng, date(2024, 2, 1), date(2024, 2, 1))
    assert (one.inside, one.outside, one.no_location) == (8, 7, 2)
    two = coverage(eng, date(2024, 2, 1), None)
    assert (two.inside, two.outside, two.no_location, two.forces) == (16, 14, 4, ("Essex",))
    none = coverage(eng, date(2025, 1, 1), date(2025, 12, 1))
    assert (none.inside, none.outside, none.no_location, none.forces) == (0, 0, 0, ())
    assert "elsewhere in the files loaded" in none.sentence
    assert coverage(eng) == coverage(eng, date(2024, 1, 1), date(2024, 3, 1))


def test_declare_by_prefix_and_by_boundary(force, tmp_path):
    eng = force
    assert declare.from_name_prefix(eng, "Theirs") == 1
    assert coverage(eng).inside == 21
    outline = gpd.GeoDataFrame({"n": [1]}, geometry=[box(-0.01, 50.99, 0.19, 51.11)],
                               crs="EPSG:4326")
    outline.to_file(tmp_path / "ours.geojson")
    assert declare.from_boundary(eng, tmp_path / "ours.geojson") == 2
    assert coverage(eng).inside == 24 and coverage(eng).name == "ours"


def test_bad_declarations_are_refused_and_change_nothing(force, tmp_path):
    eng = force
    before = db_snapshot(eng)
    with pytest.raises(ValueError, match="no LSOA name starts with 'Nowhere'"):
        declare.from_name_prefix(eng, "Nowhere")
    (tmp_path / "bad.txt").write_text("E01000001\nnot-a-code\n")
    with pytest.raises(ValueError, match="1 value\\(s\\) are not LSOA codes, e.g. 'not-a-code'"):
        declare.from_lsoa_codes(eng, ["E01000001", "not-a-code"], "x", "bad.txt")
    gpd.GeoDataFrame({"n": [1]}, geometry=[box(5, 5, 6, 6).centroid],
                     crs="EPSG:4326").to_file(tmp_path / "point.geojson")
    with pytest.raises(ValueError, match="must be polygons"):
        declare.from_boundary(eng, tmp_path / "point.geojson")
    assert db_snapshot(eng) == before


def test_no_boundaries_means_every_located_record(engine, tmp_path):
    ingest_police(engine, [_force(tmp_path)])
    cov = coverage(engine)
    assert cov.status == EVERYTHING and (cov.inside, cov.no_location) == (45, 6)


def test_cli_district_set_and_show(force, capsys):
    url = str(force.url.render_as_string(hide_password=False))
    assert cli_main(["district", "set", "--prefix", "Ours", "--db", url, "--format", "json"]) == 0
    out = capsys.readouterr().out
    shown = json.loads(out[out.index("{"):])
    assert shown["inside"] == 24 and shown["outside"] == 21 and shown["status"] == DECLARED
    heads = build_headlines(force, last_month=date(2024, 3, 1), length=3)
    assert heads["items"][0]["current"] == _total(force) == 24  # the district only


def test_deprivation_deciles_and_refusals(force, tmp_path):
    eng = force
    (tmp_path / "imd.csv").write_text(
        "lsoa11_code,index_of_multiple_deprivation_imd_decile\n"
        "E01000001,1\nE01000002,4\nE01000003,1\n")
    assert import_deprivation(eng, tmp_path / "imd.csv") == 3
    declare.from_name_prefix(eng, "Ours")
    t = crime_by_decile(eng, date(2024, 1, 1), date(2024, 3, 1)).set_index("decile")
    assert (t.loc[1, "count"], t.loc[4, "count"]) == (15, 9)  # E01000003 is outside
    assert t.loc[1, "share_of_crime"] == pytest.approx(15 / 24)
    assert t.loc[1, "share_of_residents"] == pytest.approx(1000 / 4000)
    (tmp_path / "bad.csv").write_text("lsoa11_code,imd_decile\nE01000001,11\n")
    with pytest.raises(IngestError, match="'11' in imd_decile is not a decile from 1 to 10"):
        import_deprivation(eng, tmp_path / "bad.csv")


# ------------------------------------------------------------------ demo and own data


def test_real_files_are_refused_by_the_demo_database(demo_db, tmp_path):
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(Path(demo_db.removeprefix("duckdb:///")).read_bytes())
    eng = make_engine(f"duckdb:///{copy}")
    before = db_snapshot(eng)
    folder = tmp_path / "street"
    write_street_csv(folder, "2024-01", [crime("2024-01")])
    with pytest.raises(IngestError, match="it holds the synthetic demo"):
        ingest_police(eng, [folder])
    with pytest.raises(IngestError, match="Start with my own data"):
        import_boundaries(eng, _lsoa_file(tmp_path), "lsoa", "code", "name")
    assert db_snapshot(eng) == before
    eng.dispose()


def test_own_data_starts_empty_and_the_demo_stays_apart(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CSP_DASH_DB_URL", raising=False)
    monkeypatch.setattr(config, "ACTIVE_FILE", tmp_path / "active_database")
    monkeypatch.setattr(config, "DEFAULT_DB_URL", f"duckdb:///{tmp_path / 'own.duckdb'}")
    monkeypatch.setattr(config, "DEMO_DB_URL", f"duckdb:///{tmp_path / 'demo.duckdb'}")
    monkeypatch.setattr(config, "_secrets", dict)
    assert config.db_url() == config.DEMO_DB_URL  # a fresh install opens the demo
    assert cli_main(["use", "own"]) == 0
    assert config.db_url() == config.DEFAULT_DB_URL
    assert cli_main(["counts", "--format", "json"]) == 0
    capsys.readouterr()
    eng = make_engine(config.DEFAULT_DB_URL)
    assert queries.crime_count(eng) == 0
    folder = tmp_path / "street"
    write_street_csv(folder, "2024-01", [crime("2024-01")])
    assert ingest_police(eng, [folder]).total("rows") == 1  # own data loads
    eng.dispose()
    assert cli_main(["use", "demo"]) == 0 and config.db_url() == config.DEMO_DB_URL


# ------------------------------------------------------------------ Essex: one district


ESSEX_DISTRICT = "Colchester"


@pytest.fixture(scope="module")
def colchester(essex_loaded, tmp_path_factory):
    """A copy of the Essex database with the Colchester LSOAs declared as the district."""
    from tests.conftest import ESSEX

    copy = tmp_path_factory.mktemp("colchester") / "essex.duckdb"
    copy.write_bytes(Path(essex_loaded.removeprefix("duckdb:///")).read_bytes())
    eng = make_engine(f"duckdb:///{copy}")
    declare.from_name_prefix(eng, ESSEX_DISTRICT)
    import_deprivation(eng, ESSEX / "essex_lsoa2011_imd2019.csv")
    yield eng, ESSEX
    eng.dispose()


@pytest.fixture(scope="module")
def raw(colchester) -> pd.DataFrame:
    _, folder = colchester
    df = pd.concat([pd.read_csv(p, dtype=str) for p in sorted(folder.glob("2018-0?/*-street.csv"))],
                   ignore_index=True)
    df["mine"] = df["LSOA name"].fillna("").str.match(rf"^{ESSEX_DISTRICT} \d{{3}}[A-Z]$")
    return df


@pytest.mark.slow
def test_colchester_figures_equal_pandas(colchester, raw):
    eng, folder = colchester
    mine = raw[raw["mine"]]
    cov = coverage(eng)
    assert cov.inside == len(mine) == 12_733
    assert cov.outside == int((~raw["mine"] & raw["LSOA code"].notna()).sum())
    assert cov.no_location == int(raw["LSOA code"].isna().sum()) == 218
    by_cat = queries.cube_counts(eng, by=("category",)).set_index("category")["count"]
    assert by_cat.to_dict() == mine["Crime type"].value_counts().to_dict()
    people = pd.read_csv(folder / "essex_lsoa2011_population_mid2018.csv")
    residents = people[people["LSOA11NM"].str.startswith(ESSEX_DISTRICT)]["mid2018_population"]
    assert area_population(eng, "all", None).residents == residents.sum()


@pytest.mark.slow
def test_colchester_pages_agree(colchester, raw):
    from csp_dash.analysis.periods import window
    from csp_dash.overview.comparison import compare_periods
    from csp_dash.trends.queries import loaded_months
    from csp_dash.trends.view import yoy_table

    eng, _ = colchester
    mine = raw[raw["mine"]]
    end, themes = date(2018, 7, 1), queries.theme_table(eng)
    counts = queries.cube_counts(eng, by=("month", "category"))
    loaded = loaded_months(eng)
    cmp = compare_periods(counts, themes, end, loaded, 3)
    may_jul = mine[mine["Month"].between("2018-05", "2018-07")]
    assert cmp.all_crime["current"] == int((may_jul["Crime type"] != "Anti-social behaviour").sum())
    assert not cmp.comparable  # May-Jul 2017 is not loaded: no change is claimed
    # Two complete windows (Feb-Apr against May-Jul) are compared, as pandas does.
    cur, prev = window(end, 3), window(date(2018, 4, 1), 3)
    t = yoy_table(counts, themes, list(themes["category"]), cur, prev,
                  area_population(eng, "all", None), loaded)
    total = t[t["level"] == "Total"].iloc[0]
    feb_apr = mine[mine["Month"].between("2018-02", "2018-04")]
    assert (total["current"], total["previous"]) == (len(may_jul), len(feb_apr))
    heads = build_headlines(eng, length=3)
    assert heads["items"][0]["current"] == cmp.all_crime["current"]
    hot = analyse(eng, HotspotQuery("lsoa", None, cur),
                  pd.Series(1.0, index=themes["category"]))
    assert int(hot.table["count"].sum()) == len(may_jul)
    assert len(hot.table) == mine["LSOA code"].nunique() == 105


@pytest.mark.slow
def test_colchester_deprivation_share_equals_pandas(colchester, raw):
    eng, folder = colchester
    imd = pd.read_csv(folder / "essex_lsoa2011_imd2019.csv", dtype=str)
    decile = imd.set_index("lsoa11_code")["index_of_multiple_deprivation_imd_decile"].astype(float)
    mine = raw[raw["mine"]]
    ref = (mine["LSOA code"].map(decile) == 1).mean()
    t = crime_by_decile(eng, date(2018, 1, 1), date(2018, 7, 1)).set_index("decile")
    assert t.loc[1, "share_of_crime"] == pytest.approx(ref)
    assert t.loc[1, "count"] == 319


def test_data_page_starts_own_data_and_goes_back(demo_db, tmp_path, monkeypatch):
    """The Data page's button: an empty own database, then back to the demo."""
    from tests.apptest_helpers import run_app

    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(Path(demo_db.removeprefix("duckdb:///")).with_name("served.duckdb")
                     .read_bytes())
    monkeypatch.delenv("CSP_DASH_DB_URL", raising=False)
    monkeypatch.setattr(config, "ACTIVE_FILE", tmp_path / "active_database")
    monkeypatch.setattr(config, "DEFAULT_DB_URL", f"duckdb:///{tmp_path / 'own.duckdb'}")
    monkeypatch.setattr(config, "DEMO_DB_URL", f"duckdb:///{copy}")
    monkeypatch.setattr(config, "_secrets", dict)
    at = run_app("app_pages/data.py")
    assert any("synthetic demo" in i.value for i in at.info)
    at.button(key="db_own").click().run()
    assert not at.exception and config.active_choice() == config.OWN
    assert any("Your own data" in c.value for c in at.caption)
    assert any("No crime data loaded yet" in i.value for i in at.sidebar.info)
    at.button(key="db_demo").click().run()
    assert not at.exception and config.active_choice() == config.DEMO
    assert any("synthetic demo" in i.value for i in at.info)


@pytest.mark.slow
def test_colchester_pages_render_the_district_only(colchester, monkeypatch):
    """The hotspot map and tables draw the district's LSOAs, with the rest said, not drawn."""
    from tests.apptest_helpers import run_app

    eng, _ = colchester
    monkeypatch.setenv("CSP_DASH_DB_URL", str(eng.url.render_as_string(hide_password=False)))
    at = run_app("app_pages/hotspots.py", layer="lsoa")
    text = " ".join(c.value for c in at.caption)
    assert "12,733 records in Colchester; 102,114 elsewhere in Essex, not counted" in text
    table = next(d.value for d in at.dataframe if "Code" in d.value.columns)
    assert len(table) == 105 and table["Code"].str.startswith("E01").all()
    for page in ("app_pages/overview.py", "app_pages/trends.py"):
        at = run_app(page)
        assert any("12,733 records in Colchester" in c.value for c in at.caption), page
