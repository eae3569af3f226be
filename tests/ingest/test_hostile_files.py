"""Broken and hostile police.uk files (issue 12): refused with the exact message, on both
engines, every table unchanged; rows both engines would disagree on are rejects on both."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DataError

from csp_dash.db.schema import crimes, rejects
from csp_dash.ingest import police
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.month_checks import month_count_notes
from csp_dash.ingest.police import ingest_police
from tests import hostile_files
from tests.hostile_files import FEB, encrypted_zip, zip_bomb
from tests.policeuk_files import (
    crime,
    csv_bytes,
    db_snapshot,
    month_rows,
    write_street_csv,
    write_zip,
)


@pytest.fixture
def loaded(engine, tmp_path: Path):
    good = month_rows("2018-01", 3, no_location=1)
    [f] = ingest_police(engine, [write_street_csv(tmp_path / "good", "2018-01", good)]).files
    assert f.status == "loaded"
    return engine


@pytest.mark.parametrize("case", list(hostile_files.CORPUS))
def test_hostile_file_is_refused_whole(loaded, tmp_path: Path, case: str, monkeypatch):
    if case == "too_big":
        monkeypatch.setenv("CSP_DASH_MAX_FILE_MB", "0.01")
    path, message = hostile_files.CORPUS[case](tmp_path / "bad")
    before = db_snapshot(loaded)
    report = ingest_police(loaded, [path])
    [f] = report.files
    assert (f.status, f.rows, f.error) == ("refused", 0, message)
    assert db_snapshot(loaded) == before


def _refused_archive(engine, archive: Path) -> str:
    before = db_snapshot(engine)
    with pytest.raises(IngestError) as exc:
        ingest_police(engine, [archive])
    assert db_snapshot(engine) == before
    return str(exc.value)


def test_zip_bomb_is_refused_from_its_directory(loaded, tmp_path: Path):
    bomb = zip_bomb(tmp_path / "bomb.zip", size=256 << 20)
    assert bomb.stat().st_size < 1 << 20
    assert _refused_archive(loaded, bomb) == (
        f"{bomb}:2018-02/{FEB}: the file is 256.0 MB; the limit is 64 MB (setting "
        "CSP_DASH_MAX_FILE_MB)")


def test_zip_bomb_under_the_size_limit_is_refused_by_ratio(loaded, tmp_path: Path):
    bomb = zip_bomb(tmp_path / "bomb.zip", size=32 << 20)
    message = _refused_archive(loaded, bomb)
    assert message.startswith(f"{bomb}:2018-02/{FEB}: the member inflates ")
    assert message.endswith(" times (a zip bomb?); the limit is 100 times (setting "
                            "CSP_DASH_MAX_ZIP_RATIO)")


def test_password_protected_zip(loaded, tmp_path: Path):
    archive = encrypted_zip(tmp_path / "locked.zip")
    assert _refused_archive(loaded, archive) == (
        f"{archive}:2018-02/{FEB}: the member is password-protected; extract it with the "
        "password and load the CSV itself")


@pytest.mark.parametrize("member", ["../../2018-02-essex-street.csv", "/etc/2018-02-essex-street.csv",
                                    "2018-02/x.csv", "2018-02/sub/2018-02-essex-street.csv"])
def test_zip_member_outside_the_police_uk_layout(loaded, tmp_path: Path, member: str):
    archive = write_zip(tmp_path / "p.zip", {member: csv_bytes(month_rows("2018-02", 2))})
    assert _refused_archive(loaded, archive) == (
        f"{archive}: the archive holds 1 file(s) that are not police.uk CSVs ({member}); "
        "nothing was loaded")


def _rejects(engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(rejects.c.row_no, rejects.c.reason)
                            .where(rejects.c.source == "police").order_by(rejects.c.row_no)).all()
    return [tuple(r) for r in rows]


def test_rows_one_engine_would_refuse_are_rejects_on_both(loaded, tmp_path: Path):
    rows = [
        crime("2018-02", crime_id="ok-1"),
        crime("2018-02", crime_id="C" * 100),
        crime("2018-02", crime_id="ok-3", location="On or near " + "x" * 5000),
        crime("2018-02", crime_id="ok-4", location="On or near\x07 Bell Street"),
        crime("2018-02", crime_id="ok-5", lsoa="E01000001-TOO-LONG"),
        crime("2018-02", crime_id="ok-6"),
    ]
    [f] = ingest_police(loaded, [write_street_csv(tmp_path / "b", "2018-02", rows)]).files
    assert (f.status, f.rows, f.rejected) == ("loaded", 2, 4)
    assert _rejects(loaded) == [
        (2, "Crime ID is 100 characters long; the limit is 64"),
        (3, "Location is 5,011 characters long; the limit is 1,000"),
        (4, "Location holds a control character (0x07)"),
        (5, "LSOA code is 18 characters long; the limit is 16"),
    ]
    with loaded.connect() as conn:
        ids = sorted(conn.execute(select(crimes.c.crime_id).where(
            crimes.c.crime_id.like("ok-%"))).scalars())
    assert ids == ["ok-1", "ok-6"]


def test_a_database_failure_costs_only_its_own_file(loaded, tmp_path: Path, monkeypatch):
    """One transaction holds several files; the database refusing one must not lose the others."""
    real = police.bulk_insert

    def picky(conn, table, data, **options):
        if table is crimes and "poison" in data.column("crime_id").to_pylist():
            raise DataError("COPY crimes", {}, Exception("value too long for type"))
        return real(conn, table, data, **options)

    monkeypatch.setattr(police, "bulk_insert", picky)
    files = [write_street_csv(tmp_path / m, m, month_rows(m, 3)) for m in ("2018-02", "2018-04")]
    poison = write_street_csv(tmp_path / "p", "2018-03", [crime("2018-03", crime_id="poison")])
    report = ingest_police(loaded, [files[0], poison, files[1]])
    got = sorted((f.month, f.status, f.rows) for f in report.files)
    assert got == [("2018-02", "loaded", 3), ("2018-03", "refused", 0), ("2018-04", "loaded", 3)]
    assert report.refused[0].error == (
        f"{poison}: the database refused the file (value too long for type); nothing from it "
        "was loaded")
    with loaded.connect() as conn:
        months = conn.execute(select(crimes.c.month).distinct().order_by(crimes.c.month)).scalars()
        assert [f"{m:%Y-%m}" for m in months] == ["2018-01", "2018-02", "2018-04"]


def test_files_loaded_as_they_arrive_still_fail_alone_and_a_later_copy_wins(
        loaded, tmp_path: Path, monkeypatch):
    """Every file loaded into the open chunk as soon as it is parsed (STAGE_ROWS 1): a copy
    staged earlier in the chunk is replaced by the later one, and the database refusing one
    file still costs only that file."""
    real = police.bulk_insert

    def picky(conn, table, data, **options):
        if table is crimes and "poison" in data.column("crime_id").to_pylist():
            raise DataError("COPY crimes", {}, Exception("value too long for type"))
        return real(conn, table, data, **options)

    monkeypatch.setattr(police, "STAGE_ROWS", 1)
    monkeypatch.setattr(police, "bulk_insert", picky)
    first = write_street_csv(tmp_path / "a", "2018-02", month_rows("2018-02", 3))
    again = write_street_csv(tmp_path / "b", "2018-02", month_rows("2018-02", 2, category="Drugs"))
    poison = write_street_csv(tmp_path / "p", "2018-03", [crime("2018-03", crime_id="poison")])
    later = write_street_csv(tmp_path / "c", "2018-04", month_rows("2018-04", 4))
    report = ingest_police(loaded, [first, again, poison, later])
    got = sorted((f.month, f.status, f.rows) for f in report.files)
    assert got == [("2018-02", "loaded", 2), ("2018-02", "superseded", 3),
                   ("2018-03", "refused", 0), ("2018-04", "loaded", 4)]
    with loaded.connect() as conn:
        rows = conn.execute(select(crimes.c.month, crimes.c.category)).all()
    by_month = sorted((f"{m:%Y-%m}", c) for m, c in rows)
    assert by_month == sorted([("2018-01", "Burglary")] * 4 + [("2018-02", "Drugs")] * 2
                              + [("2018-04", "Burglary")] * 4)


def test_a_later_copy_replaces_one_already_loaded_in_the_open_chunk(loaded, tmp_path: Path,
                                                                    monkeypatch):
    monkeypatch.setattr(police, "STAGE_ROWS", 1)  # each file loaded as soon as it is parsed
    first = write_street_csv(tmp_path / "a", "2018-01", month_rows("2018-01", 3))
    again = write_street_csv(tmp_path / "b", "2018-01", month_rows("2018-01", 2, category="Drugs"))
    report = ingest_police(loaded, [first, again])
    assert [(f.status, f.rows) for f in report.files] == [("superseded", 3), ("replaced", 2)]
    with loaded.connect() as conn:
        assert conn.execute(select(crimes.c.category)).scalars().all() == ["Drugs", "Drugs"]


def test_swapped_coordinates_are_loaded_and_noted(loaded, tmp_path: Path):
    rows = [crime("2018-02", crime_id="a"), crime("2018-02", lon=51.7, lat=1.0, crime_id="b"),
            crime("2018-02", lon=51.71, lat=1.01, crime_id="c")]
    [f] = ingest_police(loaded, [write_street_csv(tmp_path / "s", "2018-02", rows)]).files
    assert (f.status, f.rows, f.rejected) == ("loaded", 3, 0)
    assert f.note == ("2 row(s) have coordinates that look swapped (row 2: Longitude 51.7, "
                      "Latitude 1); they were loaded as given: check the file")


def test_a_month_far_from_its_neighbours_is_noted(engine, tmp_path: Path):
    counts = {"2018-02": 20, "2018-03": 22, "2018-04": 3, "2018-05": 21, "2018-06": 19}
    files = [write_street_csv(tmp_path / m, m, month_rows(m, n)) for m, n in counts.items()]
    ingest_police(engine, files)
    assert month_count_notes(engine, {("essex", m) for m in counts}) == [
        "essex 2018-04: 3 rows, far from its neighbouring months' 20 (median); check the file "
        "is complete and for the right month"]
