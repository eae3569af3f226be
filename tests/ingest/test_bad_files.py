"""A corpus of bad police.uk files: each refused with its exact message, the database unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from csp_dash.db.schema import crimes, rejects
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.police import ingest_police
from tests.policeuk_files import (
    HEADER,
    crime,
    csv_bytes,
    db_snapshot,
    month_rows,
    street_name,
    write_raw,
    write_street_csv,
    write_zip,
)

FEB = street_name("2018-02")


@pytest.fixture
def loaded(engine, tmp_path: Path):
    """A database already holding one good file (with a no-location row and a reject)."""
    good = month_rows("2018-01", 3, no_location=1) + [crime("2018-01", lat=95)]
    [f] = ingest_police(engine, [write_street_csv(tmp_path / "good", "2018-01", good)]).files
    assert (f.status, f.rows, f.rejected) == ("loaded", 4, 1)
    return engine


def _wrong_header(d: Path) -> tuple[Path, str]:
    header = [c for c in HEADER if c not in ("Longitude", "Latitude")]
    p = write_street_csv(d, "2018-02", month_rows("2018-02", 2), header=header)
    return p, f"{p}: wrong header: missing column(s) Longitude, Latitude"


def _renamed_column(d: Path) -> tuple[Path, str]:
    header = ["Type" if c == "Crime type" else c for c in HEADER]
    p = write_street_csv(d, "2018-02", month_rows("2018-02", 2), header=header)
    return p, f"{p}: wrong header: missing column(s) Crime type"


def _empty(d: Path) -> tuple[Path, str]:
    p = write_raw(d, FEB, b"")
    return p, f"{p}: the file is empty"


def _blank_lines(d: Path) -> tuple[Path, str]:
    p = write_raw(d, FEB, b"\n \r\n\n")
    return p, f"{p}: the file is empty"


def _header_only(d: Path) -> tuple[Path, str]:
    p = write_street_csv(d, "2018-02", [])
    assert p.read_text() == ",".join(HEADER) + "\n"
    return p, f"{p}: the file has a header but no rows"


def _semicolons(d: Path) -> tuple[Path, str]:
    p = write_street_csv(d, "2018-02", month_rows("2018-02", 2), delimiter=";")
    return p, f"{p}: uses ';' as the delimiter; police.uk files are comma-separated"


def _tabs(d: Path) -> tuple[Path, str]:
    p = write_street_csv(d, "2018-02", month_rows("2018-02", 2), delimiter="\t")
    return p, f"{p}: uses tabs as the delimiter; police.uk files are comma-separated"


def _latin1(d: Path) -> tuple[Path, str]:
    rows = [crime("2018-02"), crime("2018-02", location="On or near Café Street")]
    p = write_street_csv(d, "2018-02", rows, encoding="latin-1")
    assert b"Caf\xe9 Street" in p.read_bytes()  # é is the single byte 0xE9 in Latin-1
    # The bad byte is on data row 2, which is line 3 of the file.
    return p, (
        f"{p}, row 2 (line 3): is not UTF-8 (byte 0xE9 cannot be decoded); it looks "
        "Latin-1/Windows-1252 encoded. police.uk files are UTF-8: re-save the file as "
        "UTF-8 and load it again"
    )


def _truncated_last_row(d: Path) -> tuple[Path, str]:
    # A download cut off in row 3, after its 5th field (Longitude) and with no line end.
    data = csv_bytes(month_rows("2018-02", 2)) + b"x3,2018-02,Essex Police,Essex Police,1.0"
    p = write_raw(d, FEB, data)
    return (
        p,
        f"{p}, row 3 (line 4): has 5 fields where the header has 12 (a truncated or malformed row)",
    )


def _truncated_in_quotes(d: Path) -> tuple[Path, str]:
    # Cut inside a quoted Location: the 7th field is open when the file ends.
    data = (
        csv_bytes(month_rows("2018-02", 2))
        + b'x3,2018-02,Essex Police,Essex Police,1.0,51.7,"On or ne'
    )
    p = write_raw(d, FEB, data)
    return (
        p,
        f"{p}, row 3 (line 4): has 7 fields where the header has 12 (a truncated or malformed row)",
    )


def _extra_field(d: Path) -> tuple[Path, str]:
    rows = month_rows("2018-02", 3)
    data = csv_bytes(rows).replace(b"Under investigation,\n", b"Under investigation,,,extra\n", 1)
    p = write_raw(d, FEB, data)
    return (
        p,
        f"{p}, row 1 (line 2): has 14 fields where the header has 12 (a truncated or malformed row)",
    )


def _unreal_month_in_name(d: Path) -> tuple[Path, str]:
    p = write_street_csv(d, "2018-13", month_rows("2018-02", 1))
    return p, f"{p}: the file name's month 2018-13 is not a real month"


def _every_row_rejected(d: Path) -> tuple[Path, str]:
    # The wrong month throughout: a mislabelled file, not a file with a few bad rows.
    p = write_street_csv(d, "2018-02", month_rows("2018-03", 2))
    return p, (f"{p}: every row was rejected (row 1: Month 2018-03 does not match the file's "
               "month 2018-02); nothing was loaded")


CORPUS: dict[str, Callable[[Path], tuple[Path, str]]] = {
    "wrong_header": _wrong_header,
    "renamed_column": _renamed_column,
    "empty": _empty,
    "blank_lines": _blank_lines,
    "header_only": _header_only,
    "semicolons": _semicolons,
    "tabs": _tabs,
    "latin1": _latin1,
    "truncated_last_row": _truncated_last_row,
    "truncated_in_quotes": _truncated_in_quotes,
    "extra_field": _extra_field,
    "unreal_month_in_name": _unreal_month_in_name,
    "every_row_rejected": _every_row_rejected,
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_bad_file_is_refused_whole(loaded, tmp_path: Path, case: str):
    path, message = CORPUS[case](tmp_path / "bad")
    before = db_snapshot(loaded)
    report = ingest_police(loaded, [path])
    [f] = report.files
    assert (f.file_name, f.status, f.rows) == (str(path), "refused", 0)
    assert f.error == message
    assert report.total("rows") == 0
    assert db_snapshot(loaded) == before


def test_refused_file_does_not_stop_the_good_ones(loaded, tmp_path: Path):
    bad, message = _semicolons(tmp_path / "bad")
    good = write_street_csv(tmp_path / "ok", "2018-03", month_rows("2018-03", 2))
    report = ingest_police(loaded, [bad, good])
    assert [(f.month, f.status, f.rows) for f in report.files] == [
        ("", "refused", 0),
        ("2018-03", "loaded", 2),
    ]
    assert [f.error for f in report.refused] == [message]
    with loaded.connect() as conn:
        months = conn.execute(select(crimes.c.month).distinct().order_by(crimes.c.month)).scalars()
        assert [f"{m:%Y-%m}" for m in months] == ["2018-01", "2018-03"]


def test_zip_holding_a_non_csv_is_refused_whole(loaded, tmp_path: Path):
    archive = write_zip(
        tmp_path / "police.zip",
        {
            f"2018-02/{FEB}": csv_bytes(month_rows("2018-02", 2)),
            "2018-02/notes.pdf": b"%PDF-1.4",
        },
    )
    before = db_snapshot(loaded)
    with pytest.raises(IngestError) as exc:
        ingest_police(loaded, [archive])
    assert str(exc.value) == (
        f"{archive}: the archive holds 1 file(s) that are not police.uk CSVs "
        "(2018-02/notes.pdf); nothing was loaded"
    )
    assert db_snapshot(loaded) == before  # not even the good street file inside was loaded


def test_a_file_that_is_not_a_zip(loaded, tmp_path: Path):
    fake = write_raw(tmp_path, "police.zip", b"this is not a zip archive")
    before = db_snapshot(loaded)
    with pytest.raises(IngestError) as exc:
        ingest_police(loaded, [fake])
    assert str(exc.value) == f"{fake}: not a readable zip archive (File is not a zip file)"
    assert db_snapshot(loaded) == before


def test_a_missing_path(loaded, tmp_path: Path):
    before = db_snapshot(loaded)
    with pytest.raises(IngestError) as exc:
        ingest_police(loaded, [tmp_path / "nowhere.csv"])
    assert str(exc.value) == f"{tmp_path / 'nowhere.csv'}: no such file or folder"
    assert db_snapshot(loaded) == before


def _rows_of(engine, month: str) -> pd.DataFrame:
    with engine.connect() as conn:
        df = pd.read_sql(select(crimes).order_by(crimes.c.month, crimes.c.row_no), conn)
    return df[pd.to_datetime(df["month"]).dt.strftime("%Y-%m") == month].reset_index(drop=True)


def _rejects_of(engine, month: str) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(rejects.c.month, rejects.c.row_no, rejects.c.reason).order_by(rejects.c.row_no)
        ).all()
    return [(r.row_no, r.reason) for r in rows if f"{r.month:%Y-%m}" == month]


def test_unparseable_month_is_a_row_reject_and_the_file_loads(loaded, tmp_path: Path):
    january = _rows_of(loaded, "2018-01")
    rows = [
        crime("2018-02", crime_id="a"),
        crime("01/02/2018"),
        crime("2018-2"),
        crime("2018-02", crime_id="d"),
    ]
    path = write_street_csv(tmp_path / "bad", "2018-02", rows)
    [f] = ingest_police(loaded, [path]).files
    assert (f.status, f.rows, f.rejected) == ("loaded", 2, 2)
    assert _rejects_of(loaded, "2018-02") == [
        (2, "Month '01/02/2018' is not YYYY-MM"),
        (3, "Month '2018-2' is not YYYY-MM"),
    ]
    assert _rows_of(loaded, "2018-02")["crime_id"].tolist() == ["a", "d"]
    pd.testing.assert_frame_equal(_rows_of(loaded, "2018-01"), january)


def test_coordinates_out_of_range_are_row_rejects(loaded, tmp_path: Path):
    january = _rows_of(loaded, "2018-01")
    rows = [
        crime("2018-02", lon=-180.5, lat=51.7),
        crime("2018-02", crime_id="ok"),
        crime("2018-02", lon=1.0, lat=-90.000001),
    ]
    path = write_street_csv(tmp_path / "bad", "2018-02", rows)
    [f] = ingest_police(loaded, [path]).files
    assert (f.status, f.rows, f.rejected) == ("loaded", 1, 2)
    assert _rejects_of(loaded, "2018-02") == [
        (1, "Longitude -180.500000 is outside -180..180"),
        (3, "Latitude -90.000001 is outside -90..90"),
    ]
    with loaded.connect() as conn:
        file_names = set(conn.execute(select(rejects.c.file_name)).scalars())
    assert str(path) in file_names
    pd.testing.assert_frame_equal(_rows_of(loaded, "2018-01"), january)


def test_utf8_bom_is_accepted(loaded, tmp_path: Path):
    rows = [
        crime("2018-02", crime_id="first", location="On or near Café Street"),
        crime("2018-02", "Anti-social behaviour"),
    ]
    path = write_street_csv(tmp_path / "bom", "2018-02", rows, bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfCrime ID,")
    [f] = ingest_police(loaded, [path]).files
    assert (f.status, f.rows, f.rejected, f.error) == ("loaded", 2, 0, "")
    got = _rows_of(loaded, "2018-02")
    # The header was found: the first column is Crime ID, not "\ufeffCrime ID".
    assert got["crime_id"].iloc[0] == "first" and pd.isna(got["crime_id"].iloc[1])
    assert got["location"].tolist() == ["On or near Café Street", "On or near High Street"]


def test_a_bad_new_version_keeps_the_old_one(loaded, tmp_path: Path):
    before = db_snapshot(loaded)
    bad = write_street_csv(tmp_path / "v2", "2018-01", month_rows("2018-01", 9), delimiter=";")
    [f] = ingest_police(loaded, [bad]).files
    assert f.error == f"{bad}: uses ';' as the delimiter; police.uk files are comma-separated"
    assert db_snapshot(loaded) == before
    assert len(_rows_of(loaded, "2018-01")) == 4


def test_windows_line_endings_are_accepted(loaded, tmp_path: Path):
    data = csv_bytes(month_rows("2018-02", 3, no_location=1)).replace(b"\n", b"\r\n")
    [f] = ingest_police(loaded, [write_raw(tmp_path / "crlf", FEB, data)]).files
    assert (f.status, f.rows, f.no_location, f.rejected) == ("loaded", 4, 1, 0)
    got = _rows_of(loaded, "2018-02")
    assert got["context"].isna().all()  # no stray "\r" left in the last column
