"""Reading partner files: both CSV readers agree, and faulty files get an exact error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.partner.read import read_partner_file


def _read(tmp_path: Path, data: bytes, name: str = "p.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return read_partner_file(path), str(path)


def test_fast_and_slow_readers_agree_on_cells_and_row_numbers(tmp_path):
    fast, _ = _read(tmp_path, b'Date,Note\n2024-01-01,"a, b"\n2024-01-02, c \n,\n2024-01-03,d\n')
    # A blank line in the middle sends the file to the slow reader; numbering counts it.
    slow, _ = _read(tmp_path, b'Date,Note\n2024-01-01,"a, b"\n\n2024-01-03,d\n', "s.csv")
    assert fast.cells.index.tolist() == [1, 2, 4]  # the ",," row is blank: skipped, counted
    assert fast.cells["Note"].tolist() == ["a, b", " c ", "d"]
    assert slow.cells.index.tolist() == [1, 3]
    assert slow.cells.loc[3, "Date"] == "2024-01-03"


def test_a_bom_is_accepted(tmp_path):
    f, _ = _read(tmp_path, b"\xef\xbb\xbfDate,Type\n2024-01-01,x\n")
    assert list(f.cells.columns) == ["Date", "Type"]


@pytest.mark.parametrize(
    ("data", "where", "problem"),
    [
        (b"", "", "the file is empty"),
        (b"Date,Type\n", "", "the file has a header but no rows"),
        (
            b"Date;Type\n2024-01-01;x\n",
            "",
            "uses ';' as the delimiter; save it as comma-separated CSV",
        ),
        (
            b"Date,Type\n2024-01-01,x\n2024-01-02\n",
            ", row 2 (line 3)",
            "has 1 fields where the header has 2 (a truncated or malformed row)",
        ),
        (
            b"Date,Type\n2024-01-01,caf\xe9\n",
            ", row 1 (line 2)",
            "is not UTF-8 (byte 0xE9 cannot be decoded); re-save it as CSV UTF-8 and load it again",
        ),
        (b"Date,Date\n2024-01-01,x\n", "", "the header repeats column(s) Date"),
    ],
)
def test_faulty_csv_files_are_refused_with_an_exact_error(tmp_path, data, where, problem):
    with pytest.raises(IngestError) as err:
        _read(tmp_path, data)
    assert str(err.value) == f"{tmp_path / 'p.csv'}{where}: {problem}"


def test_xlsx_keeps_date_cells_and_sheet_row_numbers(tmp_path):
    df = pd.DataFrame(
        {
            "When": [pd.Timestamp("2024-01-05"), None, pd.Timestamp("2024-02-07")],
            "Count": [1.0, None, 2.0],
        }
    )
    path = tmp_path / "x.xlsx"
    df.to_excel(path, index=False)
    f = read_partner_file(path)
    assert f.typed and f.cells.index.tolist() == [1, 3]  # sheet row 3 was blank
    assert f.cells.loc[3, "When"] == pd.Timestamp("2024-02-07")
    assert f.cells.loc[1, "Count"] == "1"


def test_other_file_types_are_refused(tmp_path):
    with pytest.raises(IngestError, match="partner data must be CSV or XLSX"):
        _read(tmp_path, b"x", "p.json")
