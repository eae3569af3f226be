"""The command line on hostile input (issue 12): a message and an exit code, never a traceback;
the summary printed even when the database refuses a file; notes for suspicious data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.exc import DataError

from csp_dash.cli.commands import main
from csp_dash.ingest import police
from tests.hostile_files import FEB, encrypted_zip
from tests.policeuk_files import crime, month_rows, write_street_csv


@pytest.fixture
def url(duck_engine) -> str:
    return duck_engine.url.render_as_string(hide_password=False)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


def _progressless(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("\r[") and line]


def test_password_protected_zip(capsys, url, tmp_path: Path):
    archive = encrypted_zip(tmp_path / "locked.zip")
    code, out, err = _run(capsys, "ingest", "police", str(archive), "--db", url)
    assert (code, out) == (2, "")
    assert err == (f"REFUSED {archive}:2018-02/{FEB}: the member is password-protected; "
                   "extract it with the password and load the CSV itself\n")


def test_summary_is_printed_when_the_database_refuses_a_file(capsys, url, tmp_path, monkeypatch):
    real = police.bulk_insert

    def picky(conn, table, data, **options):
        if "crime_id" in data.column_names and "poison" in data.column("crime_id").to_pylist():
            raise DataError("INSERT", {}, Exception("value too long"))
        return real(conn, table, data, **options)

    monkeypatch.setattr(police, "bulk_insert", picky)
    good = write_street_csv(tmp_path / "g", "2018-01", month_rows("2018-01", 4))
    bad = write_street_csv(tmp_path / "b", "2018-02", [crime("2018-02", crime_id="poison")])
    code, out, err = _run(capsys, "ingest", "police", str(good), str(bad), "--db", url)
    assert code == 1
    assert (f"REFUSED {bad}: the database refused the file (value too long); nothing from it "
            "was loaded") in err
    assert out.splitlines()[:2] == ["files: 1 (0 unchanged), refused: 1, skipped: 0",
                                    "rows loaded: 4, no location: 0, rejected: 0"]


def test_swapped_coordinates_are_a_note(capsys, url, tmp_path: Path):
    rows = [crime("2018-01", lon=51.7, lat=1.0, crime_id="a"), crime("2018-01", crime_id="b")]
    path = write_street_csv(tmp_path, "2018-01", rows)
    code, out, err = _run(capsys, "ingest", "police", str(path), "--db", url)
    assert code == 0
    assert (f"NOTE {path}: 1 row(s) have coordinates that look swapped (row 1: Longitude 51.7, "
            "Latitude 1); they were loaded as given: check the file") in _progressless(err)


def _bng(path: Path) -> Path:
    ring = [[560000, 205000], [561000, 205000], [561000, 206000], [560000, 206000],
            [560000, 205000]]
    features = [{"type": "Feature", "properties": {"code": c, "name": c},
                 "geometry": {"type": "Polygon", "coordinates": [ring]}} for c in ("A", "A")]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_boundaries_in_national_grid_without_a_crs(capsys, url, tmp_path: Path):
    p = _bng(tmp_path / "estates.geojson")
    code, out, err = _run(capsys, "ingest", "boundaries", str(p), "--layer", "estate", "--db", url)
    assert (code, out) == (2, "")
    assert err == (f"REFUSED {p}: British National Grid coordinates with no CRS: give --crs "
                   "EPSG:27700 (on the Data page: the CRS box)\n")
    code, out, err = _run(capsys, "ingest", "boundaries", str(p), "--layer", "estate",
                          "--crs", "EPSG:27700", "--db", url)
    assert code == 0
    assert out == "layer 'estate': 1 areas loaded; crimes reassigned and the cube rebuilt\n"
    assert err == (f"NOTE {p}: 2 features share the code A; each code's features were merged "
                   "into one area\n")


def test_population_with_a_duplicate_code(capsys, url, tmp_path: Path):
    _run(capsys, "ingest", "boundaries", str(_bng(tmp_path / "e.geojson")), "--layer", "estate",
         "--crs", "EPSG:27700", "--db", url)
    pop = tmp_path / "pop.csv"
    pop.write_text("code,population\nA,10\nA,12\n")
    code, out, err = _run(capsys, "ingest", "population", str(pop), "--layer", "estate",
                          "--db", url)
    assert (code, out) == (2, "")
    assert err == (f"REFUSED {pop}: 2 rows share the code A (rows 1, 2): give each area one "
                   "population\n")
