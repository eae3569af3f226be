"""csp-dash's command line, called in-process through csp_dash.cli.commands.main."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from csp_dash.cli import common as cli_common
from csp_dash.cli.commands import main
from tests.policeuk_files import (
    HEADER,
    crime,
    csv_bytes,
    month_rows,
    street_name,
    write_street_csv,
    write_zip,
)


@pytest.fixture
def url(duck_engine) -> str:
    return duck_engine.url.render_as_string(hide_password=False)





def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _files(tmp_path: Path) -> list[Path]:
    """January (3 rows, 1 without location, 1 reject) and March: February is missing."""
    jan = [
        crime("2018-01", "Burglary", 1.005, 51.705, lsoa="E01000001"),
        crime("2018-01", "Drugs", 1.015, 51.705, lsoa="E01000002"),
        crime("2018-01", "Drugs", None, None),
        crime("2018-01", "Drugs", 1.0, 95.0),
    ]
    mar = [
        crime("2018-03", "Burglary", 1.006, 51.706, lsoa="E01000001"),
        crime("2018-03", "Anti-social behaviour", 1.05, 51.75, lsoa="E01000003"),
    ]
    folder = tmp_path / "police"
    return [write_street_csv(folder, "2018-01", jan), write_street_csv(folder, "2018-03", mar)]


def _estates(tmp_path: Path) -> Path:
    gdf = gpd.GeoDataFrame(
        {"ref": ["EST-A", "EST-B"], "title": ["Alpha", "Beta"]},
        geometry=[box(1.00, 51.70, 1.01, 51.71), box(1.01, 51.70, 1.02, 51.71)],
        crs="EPSG:4326",
    )
    path = tmp_path / "estates.geojson"
    gdf.to_file(path)
    return path


def test_ingest_police_prints_the_summary(capsys, url, tmp_path: Path):
    code, out, err = _run(capsys, "ingest", "police", *map(str, _files(tmp_path)), "--db", url)
    assert code == 0
    assert out.splitlines() == [
        "files: 2 (0 unchanged), refused: 0, skipped: 0",
        "rows loaded: 5, no location: 1, rejected: 1",
        "essex: 2 month(s) 2018-01 to 2018-03; missing months in the database: 2018-02",
    ]
    assert "[2/2] Done" in err  # progress goes to the terminal's error stream
    code, out, _ = _run(capsys, "ingest", "police", str(tmp_path / "police"), "--db", url)
    assert code == 0
    assert out.splitlines()[:2] == [
        "files: 2 (2 unchanged), refused: 0, skipped: 0",
        "rows loaded: 0, no location: 0, rejected: 0",
    ]


def test_ingest_police_refuses_a_bad_file(capsys, url, tmp_path: Path):
    good = _files(tmp_path)[0]
    bad = tmp_path / "bad" / street_name("2018-02")
    bad.parent.mkdir()
    bad.write_bytes(csv_bytes(month_rows("2018-02", 2), header=HEADER[:-1]))
    code, out, err = _run(capsys, "ingest", "police", str(good), str(bad), "--db", url)
    assert code == 1
    assert f"REFUSED {bad}: wrong header: missing column(s) Context\n" in err
    assert out.splitlines()[:2] == [
        "files: 1 (0 unchanged), refused: 1, skipped: 0",
        "rows loaded: 3, no location: 1, rejected: 1",
    ]
    code, out, _ = _run(capsys, "counts", "--by", "month", "--format", "json", "--db", url)
    # The good file alone; its row with no location is not in area figures.
    assert json.loads(out) == [{"month": "2018-01", "count": 2}]


def test_ingest_police_refuses_a_zip_holding_a_non_csv(capsys, url, tmp_path: Path):
    archive = write_zip(
        tmp_path / "p.zip",
        {
            f"2018-01/{street_name('2018-01')}": csv_bytes(month_rows("2018-01", 2)),
            "2018-01/readme.txt": b"hello",
        },
    )
    code, out, err = _run(capsys, "ingest", "police", str(archive), "--db", url)
    assert code == 2
    assert err == (
        f"REFUSED {archive}: the archive holds 1 file(s) that are not police.uk CSVs "
        "(2018-01/readme.txt); nothing was loaded\n"
    )
    code, out, _ = _run(capsys, "counts", "--format", "json", "--db", url)
    assert (code, json.loads(out)) == (0, [])


def test_ingest_boundaries_and_population(capsys, url, tmp_path: Path):
    _run(capsys, "ingest", "police", *map(str, _files(tmp_path)), "--db", url)
    estates = _estates(tmp_path)
    code, out, err = _run(
        capsys,
        "ingest",
        "boundaries",
        str(estates),
        "--layer",
        "estate",
        "--code-field",
        "ref",
        "--name-field",
        "title",
        "--db",
        url,
    )
    assert (code, out) == (
        0,
        "layer 'estate': 2 areas loaded; crimes reassigned and the cube rebuilt\n",
    )
    code, out, err = _run(
        capsys,
        "ingest",
        "boundaries",
        str(estates),
        "--layer",
        "ward",
        "--code-field",
        "code",
        "--db",
        url,
    )
    assert code == 2
    assert err == f"REFUSED {estates}: has no code field 'code' (fields: ref, title)\n"

    pop = tmp_path / "pop.csv"
    pop.write_text("ref,people\nEST-A,1200\nEST-B,800\nEST-Z,5\n")
    code, out, _ = _run(
        capsys,
        "ingest",
        "population",
        str(pop),
        "--layer",
        "estate",
        "--code-field",
        "ref",
        "--population-field",
        "people",
        "--db",
        url,
    )
    assert (code, out) == (0, "layer 'estate': population set for 2 areas\n")
    code, _, err = _run(
        capsys,
        "ingest",
        "population",
        str(pop),
        "--layer",
        "estate",
        "--code-field",
        "ref",
        "--db",
        url,
    )
    assert code == 2
    assert (
        err
        == f"REFUSED {pop}: choose the population field with --population-field (fields: ref, people)\n"
    )


def test_counts_json_and_csv(capsys, url, tmp_path: Path):
    _run(capsys, "ingest", "police", *map(str, _files(tmp_path)), "--db", url)
    _run(
        capsys,
        "ingest",
        "boundaries",
        str(_estates(tmp_path)),
        "--layer",
        "estate",
        "--code-field",
        "ref",
        "--db",
        url,
    )

    code, out, _ = _run(capsys, "counts", "--format", "json", "--db", url)
    assert code == 0
    assert json.loads(out) == [  # default: month x category over every located record
        {"month": "2018-01", "category": "Burglary", "count": 1},
        {"month": "2018-01", "category": "Drugs", "count": 1},
        {"month": "2018-03", "category": "Anti-social behaviour", "count": 1},
        {"month": "2018-03", "category": "Burglary", "count": 1},
    ]
    code, out, _ = _run(
        capsys, "counts", "--layer", "estate", "--by", "area", "--format", "csv", "--db", url
    )
    assert code == 0
    # Burglary points at (1.005, 51.705) and (1.006, 51.706) are in EST-A, the Drugs one in EST-B.
    assert pd.read_csv(io.StringIO(out)).values.tolist() == [["EST-A", 2], ["EST-B", 1]]
    code, out, _ = _run(
        capsys, "counts", "--layer", "lsoa", "--by", "area,month", "--format", "json", "--db", url
    )
    assert json.loads(out) == [
        {"area": "E01000001", "month": "2018-01", "count": 1},
        {"area": "E01000001", "month": "2018-03", "count": 1},
        {"area": "E01000002", "month": "2018-01", "count": 1},
        {"area": "E01000003", "month": "2018-03", "count": 1},
    ]
    code, out, _ = _run(capsys, "counts", "--by", "theme", "--format", "csv", "--db", url)
    assert out.splitlines() == [
        "theme,count",
        "ASB and disorder,1",
        "Acquisitive crime,2",
        "Drugs,1",
    ]
    code, out, _ = _run(
        capsys, "counts", "--by", "month", "--category", "Drugs", "--format", "json", "--db", url
    )
    assert json.loads(out) == [{"month": "2018-01", "count": 1}]  # one Drugs row has no location
    code, out, err = _run(capsys, "counts", "--by", "week", "--db", url)
    assert (code, out) == (2, "")
    assert err == "error: cannot group by week; choose from month, category, area, theme\n"


def test_main_closes_its_database_connections(monkeypatch, capsys, url):
    opened, original = [], cli_common.make_engine

    def make_engine(u=None):
        opened.append(original(u))
        return opened[-1]

    monkeypatch.setattr(cli_common, "make_engine", make_engine)
    assert main(["counts", "--db", url]) == 0
    assert len(opened) == 1
    assert opened[0].pool.checkedin() == 0  # no idle connection left in the pool
