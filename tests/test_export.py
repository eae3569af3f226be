"""Safe CSV/XLSX export (formula injection) and server-side chart images."""

from __future__ import annotations

import csv
import io
import struct
import xml.etree.ElementTree as ET

import altair as alt
import numpy as np
import openpyxl
import pandas as pd
import pytest

from csp_dash.export import chart_png, chart_svg, neutralise_cell, to_csv_bytes, to_xlsx_bytes

BOM = b"\xef\xbb\xbf"
DANGEROUS = ["=1+1", "+44 1632", "-1+1", "@SUM(A1)", "\t=cmd", "\r=cmd"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_formula_strings(text: str) -> None:
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["North estate", "", "1-1", " =1", "'=1", "#note"])
def test_neutralise_leaves_safe_strings(value: str) -> None:
    assert neutralise_cell(value) == value


@pytest.mark.parametrize("value", [-1, -2.5, np.int64(-3), np.float64(-0.5), None, True])
def test_neutralise_leaves_numbers_and_non_text(value: object) -> None:
    out = neutralise_cell(value)
    assert out is value


def sample() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "estate": ["=1+1", "North", "-1+1", "@x"],
            "count": [1, -2, 3, 4],
            "rate": [0.5, np.nan, -1.25, 2.0],
            "month": pd.period_range("2024-01", periods=4, freq="M"),
        }
    )


def test_csv_neutralised_with_bom_and_stamp() -> None:
    stamp = ["Not for public circulation", "Harm weights: ONS CSS, =HYPERLINK(x)"]
    data = to_csv_bytes(sample(), stamp=stamp)
    assert data.startswith(BOM)
    text = data[len(BOM) :].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    # Each stamp line is one field, so no piece of it can start a cell as a formula.
    assert rows[0] == ["# Not for public circulation"]
    assert rows[1] == ["# Harm weights: ONS CSS, =HYPERLINK(x)"]
    assert rows[2] == ["estate", "count", "rate", "month"]
    text_fields = [f for row in rows[:3] for f in row] + [row[0] for row in rows[3:]]
    for field in text_fields:
        assert not field.startswith(("=", "+", "-", "@", "\t", "\r")), field
    back = pd.read_csv(io.BytesIO(data), skiprows=len(stamp), encoding="utf-8-sig")
    assert list(back["estate"]) == ["'=1+1", "North", "'-1+1", "'@x"]
    # Numbers stay numbers: negatives are written bare, not quoted or prefixed.
    assert list(back["count"]) == [1, -2, 3, 4]
    assert back["rate"].iloc[2] == -1.25 and np.isnan(back["rate"].iloc[1])
    assert list(back["month"]) == ["2024-01", "2024-02", "2024-03", "2024-04"]


def test_csv_neutralises_headers_and_keeps_named_index() -> None:
    df = pd.DataFrame({"=evil": ["a"], "ok": [1]}, index=pd.Index(["+Estate"], name="estate"))
    rows = list(csv.reader(io.StringIO(to_csv_bytes(df).decode("utf-8-sig"))))
    assert rows == [["estate", "'=evil", "ok"], ["'+Estate", "a", "1"]]


def test_xlsx_neutralised_numbers_numeric_and_stamp_first() -> None:
    stamp = ["Not for public circulation"]
    df = sample()
    df.loc[1, "estate"] = "North\x07"  # a control character openpyxl would refuse
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df, sheet="DA [2024]", stamp=stamp)))
    ws = wb.active
    assert ws.title == "DA _2024_"
    assert ws["A1"].value == "# Not for public circulation"
    assert [c.value for c in ws[2]] == ["estate", "count", "rate", "month"]
    assert ws["A2"].font.bold
    assert ws["A3"].value == "'=1+1" and ws["A3"].data_type == "s"
    assert ws["A4"].value == "North"
    assert ws["A5"].value == "'-1+1"
    assert ws["B4"].value == -2 and ws["B4"].data_type == "n"
    assert ws["C5"].value == -1.25 and ws["C5"].data_type == "n"
    assert ws["C4"].value is None  # NaN becomes an empty cell
    assert ws["D3"].value == "2024-01"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_xlsx_without_stamp_starts_with_header() -> None:
    df = pd.DataFrame({"n": [5]}, index=pd.Index(["=A1"], name="estate"))
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df))).active
    assert [c.value for c in ws[1]] == ["estate", "n"]
    assert [c.value for c in ws[2]] == ["'=A1", 5]


def bar_chart() -> alt.Chart:
    df = pd.DataFrame({"estate": ["North", "South", "East"], "count": [12, 7, 3]})
    return (
        alt.Chart(df).mark_bar().encode(x="estate:N", y="count:Q").properties(width=200, height=100)
    )


def png_size(data: bytes) -> tuple[int, int]:
    # The IHDR chunk follows the 8-byte signature: length(4) type(4) width(4) height(4).
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_chart_png_magic_and_scale() -> None:
    one = chart_png(bar_chart(), scale=1)
    two = chart_png(bar_chart(), scale=2)
    assert one.startswith(b"\x89PNG\r\n\x1a\n") and two.startswith(b"\x89PNG\r\n\x1a\n")
    w1, h1 = png_size(one)
    w2, h2 = png_size(two)
    assert w1 > 200 and h1 > 100  # plot area plus axes
    assert (w2, h2) == (2 * w1, 2 * h1)


def test_chart_svg_parses_with_svg_root() -> None:
    root = ET.fromstring(chart_svg(bar_chart()))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"North", "South", "East"} <= texts


def test_chart_refuses_external_data() -> None:
    chart = alt.Chart(alt.Data(url="https://example.com/crime.csv")).mark_bar().encode(x="a:Q")
    with pytest.raises(ValueError, match="not allowed"):
        chart_svg(chart)
