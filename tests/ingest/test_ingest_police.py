"""police.uk street-file ingest on small synthetic files, on DuckDB and PostgreSQL."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from csp_dash.db import queries
from csp_dash.db.schema import crimes, cube, ingest_files, rejects
from csp_dash.ingest.police import ingest_police
from tests.policeuk_files import (
    crime,
    csv_bytes,
    db_snapshot,
    month_rows,
    street_name,
    write_street_csv,
    write_zip,
)


def _crimes(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(
            select(crimes).order_by(crimes.c.force, crimes.c.month, crimes.c.row_no), conn
        )


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def _rejects(engine) -> list[tuple[str, int, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(rejects.c.file_name, rejects.c.row_no, rejects.c.reason).order_by(
                rejects.c.file_name, rejects.c.row_no
            )
        ).all()
    return [tuple(r) for r in rows]


def _all_total(engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.coalesce(func.sum(cube.c["count"]), 0)).where(cube.c.layer == "all")
            ).scalar()
        )


def test_one_file_rows_no_location_and_asb_without_crime_id(engine, tmp_path: Path):
    rows = [
        crime("2018-01", "Burglary", 1.001, 51.701, crime_id="c1"),
        crime("2018-01", "Anti-social behaviour", 1.002, 51.702),
        crime("2018-01", "Vehicle crime", None, None, crime_id="c3"),
    ]
    assert rows[1]["Crime ID"] == ""  # police.uk gives ASB rows no Crime ID
    path = write_street_csv(tmp_path, "2018-01", rows)

    report = ingest_police(engine, [path])

    [f] = report.files
    assert (f.file_name, f.force, f.month, f.status) == (str(path), "essex", "2018-01", "loaded")
    assert (f.rows, f.no_location, f.rejected) == (3, 1, 0)
    got = _crimes(engine)
    assert got["row_no"].tolist() == [1, 2, 3]
    assert got["category"].tolist() == ["Burglary", "Anti-social behaviour", "Vehicle crime"]
    assert got["crime_id"].iloc[0] == "c1" and got["crime_id"].isna().tolist() == [
        False,
        True,
        False,
    ]
    assert got["longitude"].iloc[0] == pytest.approx(1.001, abs=1e-5)
    assert got["latitude"].iloc[1] == pytest.approx(51.702, abs=1e-5)
    assert math.isnan(got["longitude"].iloc[2]) and got["lsoa_code"].isna().tolist() == [
        False,
        False,
        True,
    ]
    assert pd.to_datetime(got["month"]).dt.strftime("%Y-%m").unique().tolist() == ["2018-01"]
    assert queries.load_summary(engine) == {"rows": 3, "no_location": 1, "rejected": 0, "files": 1}
    # The no-location row is counted on its own line: in no area figure, the whole area's
    # included (docs/methods.md, "The district").
    assert _all_total(engine) == 2
    no_loc = queries.cube_counts(engine, layer="_no_location", by=[])
    assert no_loc["count"].tolist() == [1]
    lsoa = queries.cube_counts(engine, layer="lsoa", by=["area"])
    assert lsoa.to_dict("records") == [{"area": "E01000001", "count": 2}]


def test_coordinates_are_stored_exactly(engine, tmp_path: Path):
    path = write_street_csv(tmp_path, "2018-01", [crime("2018-01", lon=0.738080, lat=52.042187)])
    ingest_police(engine, [path])
    got = _crimes(engine)
    # police.uk gives 6 decimals; a float64 round trip keeps them, so both engines must agree.
    assert (got["longitude"].iloc[0], got["latitude"].iloc[0]) == (0.73808, 52.042187)


def test_identical_rows_are_kept(engine, tmp_path: Path):
    # Three ASB incidents at one snapped point in one month are three reports, not duplicates.
    same = crime("2018-01", "Anti-social behaviour", 1.003, 51.703)
    path = write_street_csv(tmp_path, "2018-01", [same, same, same, crime("2018-01")])
    report = ingest_police(engine, [path])
    assert report.files[0].rows == 4
    assert _count(engine, crimes) == 4
    asb = queries.cube_counts(engine, by=["category"], categories=["Anti-social behaviour"])
    assert asb["count"].tolist() == [3]


def test_several_files_in_one_call(engine, tmp_path: Path):
    paths = [
        write_street_csv(tmp_path, m, month_rows(m, n, no_location=1))
        for m, n in [("2018-01", 2), ("2018-02", 3), ("2018-03", 4)]
    ]
    report = ingest_police(engine, paths)
    assert [(f.month, f.status, f.rows, f.no_location) for f in report.files] == [
        ("2018-01", "loaded", 3, 1),
        ("2018-02", "loaded", 4, 1),
        ("2018-03", "loaded", 5, 1),
    ]
    assert report.total("rows") == 12 and report.total("no_location") == 3
    by_month = queries.cube_counts(engine, by=["month"])
    assert by_month["count"].tolist() == [2, 3, 4]  # located rows; one a month has no location


def test_a_folder_is_searched_and_other_files_skipped(engine, tmp_path: Path):
    folder = tmp_path / "downloads"
    write_street_csv(folder / "2018-01", "2018-01", month_rows("2018-01", 2))
    write_street_csv(folder / "2018-02", "2018-02", month_rows("2018-02", 5))
    (folder / "notes.txt").write_text("not data")
    report = ingest_police(engine, [folder])
    assert [(f.month, f.rows) for f in report.files] == [("2018-01", 2), ("2018-02", 5)]
    assert report.skipped == [str(folder / "notes.txt")]
    assert _count(engine, crimes) == 7


def test_zip_archive_of_month_folders_skips_outcomes(engine, tmp_path: Path):
    # police.uk's archive: one YYYY-MM/ folder a month, street files beside outcomes files.
    members = {}
    for m, n in [("2018-01", 2), ("2018-02", 3)]:
        members[f"{m}/{street_name(m)}"] = csv_bytes(month_rows(m, n, no_location=1))
        members[f"{m}/{m}-essex-outcomes.csv"] = b"Crime ID,Month,Outcome type\nx,2018-01,y\n"
    members["2018-01/2018-01-kent-street.csv"] = csv_bytes(month_rows("2018-01", 4, force="kent"))
    archive = write_zip(tmp_path / "police.zip", members)

    report = ingest_police(engine, [archive])

    got = sorted((f.force, f.month, f.rows, f.no_location, f.status) for f in report.files)
    assert got == [
        ("essex", "2018-01", 3, 1, "loaded"),
        ("essex", "2018-02", 4, 1, "loaded"),
        ("kent", "2018-01", 4, 0, "loaded"),
    ]
    assert sorted(report.skipped) == [
        f"{archive}:2018-01/2018-01-essex-outcomes.csv",
        f"{archive}:2018-02/2018-02-essex-outcomes.csv",
    ]
    assert f"{archive}:2018-01/2018-01-kent-street.csv" in [f.file_name for f in report.files]
    assert _count(engine, crimes) == 11
    assert _count(engine, ingest_files) == 3


def test_reingesting_the_same_file_changes_nothing(engine, tmp_path: Path):
    path = write_street_csv(
        tmp_path, "2018-01", month_rows("2018-01", 3, no_location=1) + [crime("2018-01", lat=95)]
    )
    first = ingest_police(engine, [path]).files[0]
    before = db_snapshot(engine)
    again = ingest_police(engine, [path]).files[0]
    assert again.status == "unchanged"
    assert (
        (again.rows, again.no_location, again.rejected)
        == (first.rows, first.no_location, first.rejected)
        == (4, 1, 1)
    )
    assert db_snapshot(engine) == before  # loaded_at included: not even the log is touched


def test_a_changed_file_replaces_the_old_one(engine, tmp_path: Path):
    old = month_rows("2018-01", 5, category="Burglary") + [crime("2018-01", lon=200)]
    path = write_street_csv(tmp_path / "old", "2018-01", old)
    ingest_police(engine, [path])
    other = write_street_csv(tmp_path / "old", "2018-02", month_rows("2018-02", 2))
    ingest_police(engine, [other])
    assert len(_rejects(engine)) == 1

    new = month_rows("2018-01", 2, category="Drugs", no_location=1)
    new_path = write_street_csv(tmp_path / "new", "2018-01", new)
    [f] = ingest_police(engine, [new_path]).files

    assert (f.status, f.rows, f.no_location, f.rejected) == ("replaced", 3, 1, 0)
    got = _crimes(engine)
    jan = got[pd.to_datetime(got["month"]) == "2018-01-01"]
    assert jan["category"].tolist() == ["Drugs"] * 3
    assert len(got) == 5  # 3 new January rows + the untouched 2 February rows
    assert _rejects(engine) == []  # the old file's reject went with it
    log = queries.ingest_log(engine)
    assert log[["file_name", "rows_loaded", "rows_rejected"]].values.tolist() == [
        [str(new_path), 3, 0],
        [str(other), 2, 0],
    ]
    cats = queries.cube_counts(engine, by=["month", "category"])
    assert cats.assign(month=cats["month"].dt.strftime("%Y-%m")).values.tolist() == [
        ["2018-01", "Drugs", 2],  # the third new row has no location: not in area figures
        ["2018-02", "Burglary", 2],
    ]


def test_row_rejects_name_file_row_and_reason(engine, tmp_path: Path):
    rows = [
        crime("2018-03", crime_id="ok-1"),  # row 1: good
        crime("Mar-2018"),  # row 2: month text does not parse
        crime("2018-04"),  # row 3: month of another file
        crime("2018-03", lat=95.0),  # row 4
        crime("2018-03", lon=200.0),  # row 5
        crime("2018-03", lon=1.01, lat=""),  # row 6: one coordinate missing
        crime("2018-03", lon="north", lat=51.7),  # row 7: not a number
        crime("2018-03", category="Fraud and forgery"),  # row 8: not a police.uk category
        crime("2018-03", lon=None, lat=None, crime_id="ok-9"),  # row 9: good, no location
    ]
    path = write_street_csv(tmp_path, "2018-03", rows)
    [f] = ingest_police(engine, [path]).files
    assert (f.status, f.rows, f.no_location, f.rejected) == ("loaded", 2, 1, 7)
    assert _rejects(engine) == [
        (str(path), 2, "Month 'Mar-2018' is not YYYY-MM"),
        (str(path), 3, "Month 2018-04 does not match the file's month 2018-03"),
        (str(path), 4, "Latitude 95.000000 is outside -90..90"),
        (str(path), 5, "Longitude 200.000000 is outside -180..180"),
        (str(path), 6, "only one of Longitude and Latitude is given"),
        (str(path), 7, "Longitude/Latitude is not a number"),
        (str(path), 8, "unknown Crime type 'Fraud and forgery'"),
    ]
    assert _crimes(engine)["crime_id"].tolist() == ["ok-1", "ok-9"]
    # The raw row is kept so an analyst can see what was wrong.
    with engine.connect() as conn:
        raw = conn.execute(select(rejects.c.raw).where(rejects.c.row_no == 7)).scalar()
    assert json.loads(raw)["Longitude"] == "north"
    assert queries.load_summary(engine)["rejected"] == 7


def test_missing_months_per_force(engine, tmp_path: Path):
    paths = [
        write_street_csv(tmp_path, m, month_rows(m, 1)) for m in ["2017-11", "2017-12", "2018-03"]
    ]  # Jan and Feb 2018 missing, across a year end
    paths += [
        write_street_csv(tmp_path, m, month_rows(m, 1, force="kent"), force="kent")
        for m in ["2018-01", "2018-02"]
    ]
    ingest_police(engine, paths)
    assert queries.missing_months(engine) == {"essex": ["2018-01", "2018-02"], "kent": []}


def test_coverage_grid_months_by_force(engine, tmp_path: Path):
    paths = [
        write_street_csv(tmp_path, "2018-01", month_rows("2018-01", 2)),
        write_street_csv(tmp_path, "2018-03", month_rows("2018-03", 3, no_location=1)),
        write_street_csv(tmp_path, "2018-02", month_rows("2018-02", 5, force="kent"), force="kent"),
    ]
    ingest_police(engine, paths)
    grid = queries.coverage(engine)
    assert list(grid.index.strftime("%Y-%m")) == ["2018-01", "2018-02", "2018-03"]
    assert sorted(grid.columns) == ["essex", "kent"]
    assert grid["essex"].tolist()[0] == 2 and grid["essex"].tolist()[2] == 4
    assert grid["kent"].tolist()[1] == 5
    # A gap is NaN (the Data page shows it as MISSING), never a real 0.
    assert pd.isna(grid.loc["2018-02-01", "essex"])
    assert pd.isna(grid.loc["2018-01-01", "kent"]) and pd.isna(grid.loc["2018-03-01", "kent"])


def test_two_forces_in_one_call(engine, tmp_path: Path):
    paths = [
        write_street_csv(tmp_path, "2018-01", month_rows("2018-01", 2, category="Robbery")),
        write_street_csv(
            tmp_path,
            "2018-01",
            month_rows("2018-01", 3, force="kent", category="Drugs"),
            force="kent",
        ),
    ]
    report = ingest_police(engine, paths)
    assert sorted((f.force, f.rows, f.status) for f in report.files) == [
        ("essex", 2, "loaded"),
        ("kent", 3, "loaded"),
    ]
    got = _crimes(engine)
    assert got.groupby("force")["falls_within"].first().to_dict() == {
        "essex": "Essex Police",
        "kent": "Kent Police",
    }
    # One month, two forces: the cube adds both.
    assert queries.cube_counts(engine, by=["category"]).values.tolist() == [
        ["Drugs", 3],
        ["Robbery", 2],
    ]
    # Replacing one force's month leaves the other force's month alone.
    ingest_police(
        engine,
        [
            write_street_csv(
                tmp_path / "v2", "2018-01", month_rows("2018-01", 1, category="Robbery")
            )
        ],
    )
    assert queries.cube_counts(engine, by=["category"]).values.tolist() == [
        ["Drugs", 3],
        ["Robbery", 1],
    ]


def test_progress_is_reported_per_file(engine, tmp_path: Path):
    paths = [write_street_csv(tmp_path, m, month_rows(m, 1)) for m in ["2018-01", "2018-02"]]
    calls = []
    ingest_police(engine, paths, progress=lambda done, total, msg: calls.append((done, total, msg)))
    assert calls == [
        (0, 2, "Reading 2018-01-essex-street.csv"),
        (1, 2, "Reading 2018-02-essex-street.csv"),
        (2, 2, "Done"),
    ]


def test_a_failed_load_leaves_the_old_file_in_place(engine, tmp_path: Path, monkeypatch):
    ingest_police(engine, [write_street_csv(tmp_path / "v1", "2018-01", month_rows("2018-01", 3))])
    before = db_snapshot(engine)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # Fail after the old rows were deleted and the new ones inserted: all of it must roll back.
    monkeypatch.setattr("csp_dash.ingest.police.rebuild_cube", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_police(
            engine, [write_street_csv(tmp_path / "v2", "2018-01", month_rows("2018-01", 7))]
        )
    assert db_snapshot(engine) == before


def test_the_later_of_two_versions_in_one_call_wins(engine, tmp_path: Path):
    v1 = write_street_csv(tmp_path / "v1", "2018-01", month_rows("2018-01", 3, category="Drugs"))
    v2 = write_street_csv(tmp_path / "v2", "2018-01", month_rows("2018-01", 2, category="Robbery"))
    ingest_police(engine, [v1, v2])
    assert queries.cube_counts(engine, by=["category"]).values.tolist() == [["Robbery", 2]]
    assert queries.ingest_log(engine)["file_name"].tolist() == [str(v2)]


def test_force_and_month_come_from_the_rows_when_the_name_is_not_police_uks(engine, tmp_path: Path):
    rows = month_rows("2018-05", 3, force="suffolk") + [crime("2018-04", force="suffolk")]
    path = write_street_csv(tmp_path, "2018-05", rows, name="may download.csv")
    [f] = ingest_police(engine, [path]).files
    # "Suffolk Constabulary" -> "suffolk"; the month most rows give is the file's month.
    assert (f.force, f.month, f.rows, f.rejected) == ("suffolk", "2018-05", 3, 1)


def test_two_copies_of_one_force_month_in_one_call_the_later_wins(engine, tmp_path: Path):
    first = write_street_csv(tmp_path / "a", "2018-01", month_rows("2018-01", 2))
    second = write_street_csv(tmp_path / "b", "2018-01", month_rows("2018-01", 5))
    report = ingest_police(engine, [first, second])
    assert sorted((f.status, f.rows) for f in report.files) == [("loaded", 5), ("superseded", 2)]
    assert report.total("rows") == 5
