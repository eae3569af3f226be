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
    assert ws.title == "DA 2024"  # illegal characters dropped, words kept (sheet_name)
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


# --- Numbers as shown, number formats, widths, sheet names (issue 16) -----------------------

from csp_dash.export import (  # noqa: E402
    NumberStyle,
    header_words,
    in_words,
    markdown_text,
    number_style,
    prepare,
    sheet_name,
    split_hidden,
    style_from_format,
)


def report_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Estate": ["North", "South", "East"],
            "Count": [12.0, np.nan, 3.0],  # a count made float by a gap
            "Change": [4, -2, 0],
            "Change %": [3.948170731707317, np.nan, -0.04],
            "Poisson z": [1.23456, -2.34567, 0.0],
            "Rate per 1,000 residents": [1.23456, 2.5, np.inf],
            "Residents": [14163.760349222965, 902.2, 1000.0],
            "Significant": [True, False, True],
            "Note": ["up", None, "x"],
        }
    )


@pytest.mark.parametrize(
    ("fmt", "style"),
    [
        ("%+.1f%%", NumberStyle(1, signed=True)),
        ("%.2f", NumberStyle(2)),
        (",.1f", NumberStyle(1)),
        ("+.2f", NumberStyle(2, signed=True)),
        ("%d", NumberStyle(0)),
        ("%+d", NumberStyle(0, signed=True)),
        (".1%", NumberStyle(3, fraction=True)),
        ("percent", NumberStyle(4, fraction=True)),
        ("localized", None),
        ("%g", None),
        (None, None),
    ],
)
def test_style_from_the_pages_format(fmt, style) -> None:
    assert style_from_format(fmt) == style


def test_number_style_by_name() -> None:
    whole = pd.Series([1.0, 2.0])
    frac = pd.Series([1.5, 2.25])
    assert number_style("Poisson z", frac) == NumberStyle(2, signed=True)
    assert number_style("Gi* z", frac).decimals == 2
    assert number_style("Change %", frac) == NumberStyle(1, signed=True)
    assert number_style("Residents", frac).decimals == 0
    assert number_style("Rate per 1,000", frac).decimals == 2
    assert number_style("Count", whole).decimals == 0
    assert number_style("Change", whole) == NumberStyle(0, signed=True)
    assert number_style("p", pd.Series([0.0012])).decimals == 3
    assert number_style("Share", pd.Series([0.25, 0.5])).decimals == 3
    assert number_style("Harm share %", frac).decimals == 1


def test_prepare_rounds_as_shown_and_keeps_numbers_numeric() -> None:
    frame, styles = prepare(report_table(), {"Rate per 1,000 residents": "%.1f"})
    assert frame["Count"].isna().tolist() == [False, True, False]
    assert str(frame["Count"].dtype) == "Int64" and frame["Count"].iloc[0] == 12
    assert frame["Change %"].iloc[0] == 3.9 and pd.isna(frame["Change %"].iloc[1])
    assert str(frame["Change %"].iloc[2]) == "0.0"  # never "-0.0"
    assert list(frame["Poisson z"]) == [1.23, -2.35, 0.0]
    assert frame["Rate per 1,000 residents"].iloc[0] == 1.2  # the page's own format wins
    assert pd.isna(frame["Rate per 1,000 residents"].iloc[2])  # infinity is no number
    assert list(frame["Residents"]) == [14164, 902, 1000]
    assert "Significant" not in styles and "Note" not in styles
    assert styles["Change"].signed and styles["Poisson z"].decimals == 2


def test_csv_has_no_python_values_or_long_floats() -> None:
    text = to_csv_bytes(in_words(report_table())).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["North", "12", "4", "3.9", "1.23", "1.23", "14164", "yes", "up"]
    assert rows[2] == ["South", "", "-2", "", "-2.35", "2.5", "902", "no", ""]
    for field in (f for r in rows for f in r):
        assert field not in {"None", "nan", "NaN", "<NA>", "inf", "True", "False", "-0.0"}


def test_plan_files_keep_every_digit() -> None:
    df = pd.DataFrame({"target": [0.12345]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(df, rounded=False).decode("utf-8-sig"))))
    assert rows[1] == ["0.12345"]


def test_xlsx_number_formats_widths_and_types() -> None:
    data = to_xlsx_bytes(report_table(), sheet="Appendix: by estate and category, all months",
                         stamp=["Source: police.uk"])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.title == "Appendix by estate and category"
    header = [c.value for c in ws[2]]
    col = {name: i + 1 for i, name in enumerate(header)}
    north = 3
    cell = ws.cell(row=north, column=col["Count"])
    assert cell.data_type == "n" and cell.value == 12 and cell.number_format == "#,##0"
    cell = ws.cell(row=north, column=col["Change %"])
    assert cell.value == 3.9 and cell.number_format == "+#,##0.0;-#,##0.0;#,##0.0"
    cell = ws.cell(row=north, column=col["Poisson z"])
    assert cell.value == 1.23 and cell.number_format.startswith("+#,##0.00;")
    cell = ws.cell(row=north, column=col["Residents"])
    assert cell.value == 14164 and cell.number_format == "#,##0"
    assert ws.cell(row=north + 1, column=col["Count"]).value is None  # a gap is empty
    for name, i in col.items():
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width
        assert width >= max(8, len(name)), (name, width)  # header fits
        assert width <= 62
    # text stays text
    assert ws.cell(row=north, column=col["Note"]).data_type == "s"


def test_fraction_columns_show_as_percentages_in_xlsx() -> None:
    df = pd.DataFrame({"Class": ["a", "b"], "Share": [0.123456, 0.5]})
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df, formats={"Share": ".1%"}))).active
    assert ws["B2"].value == 0.123 and ws["B2"].number_format == "0.0%"


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Appendix: by estate and category, all months", (), "Appendix by estate and category"),
        ("Appendix: by estate and category", ("appendix by estate and category",),
         "Appendix by estate and (2)"),
        ("forecast_Violence", (), "Forecast Violence"),
        ("DA [2024] / estates?", (), "DA 2024 estates"),
        ("'quoted'", (), "Quoted"),
        ("", (), "Data"),
        ("History", (), "History table"),
        ("x" * 40, (), "X" + "x" * 30),
    ],
)
def test_sheet_names_keep_words(name, taken, expected) -> None:
    out = sheet_name(name, taken)
    assert out == expected
    assert len(out) <= 31 and not set("[]:*?/\\") & set(out)


def test_sheet_names_are_unique() -> None:
    taken: list[str] = []
    for _ in range(12):
        taken.append(sheet_name("Counts by estate and category in the period", taken))
    assert len({t.lower() for t in taken}) == 12 and all(len(t) <= 31 for t in taken)


def test_split_hidden_keeps_numbers_numeric_and_names_hidden_cells() -> None:
    view = pd.DataFrame({"Estate": ["A", "B", "Total"], "Jan 2025": ["12", "<5", "1,234"],
                         "Period total": ["<5", "7", "1,300"]})
    out = split_hidden(view, "<5")
    assert str(out["Jan 2025"].dtype) == "Int64"
    assert out["Jan 2025"].tolist()[0] == 12 and pd.isna(out["Jan 2025"].iloc[1])
    assert out["Jan 2025"].iloc[2] == 1234
    assert list(out["Hidden"]) == ["<5: Period total", "<5: Jan 2025", ""]
    assert list(out["Estate"]) == ["A", "B", "Total"]
    rates = split_hidden(pd.DataFrame({"Period": ["P", "Q"], "Repeat rate": ["12.3%", "<5"]}),
                         "<5")
    assert list(rates.columns) == ["Period", "Repeat rate %", "Hidden"]
    assert rates["Repeat rate %"].iloc[0] == 12.3 and pd.isna(rates["Repeat rate %"].iloc[1])


def test_header_words() -> None:
    assert header_words("ucl") == "Upper limit"
    assert header_words("count_share") == "Count share %"
    assert header_words("no_location") == "No location"
    assert header_words("lsoa_code") == "LSOA code" and header_words("lsoas") == "LSOAs"
    assert header_words("imd_decile") == "IMD decile"
    assert header_words("Change %") == "Change %"
    assert header_words("p") == "p"
    assert header_words(3) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Markets & supply", "Markets & supply"),
        ("&amp; typed", "\\&amp; typed"),
        ("<b>bold</b>", "\\<b\\>bold\\</b\\>"),
        ("a | b", "a \\| b"),
        ("*x* _y_ [l](http://e)", "\\*x\\* \\_y\\_ \\[l\\](http://e)"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. first", "1\\. first"),
        ("two\nlines", "two lines"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_markdown_text_is_inert_without_entities(text, expected) -> None:
    assert markdown_text(text) == expected


def test_export_benchmark_runs_and_prints_ratios(tmp_path) -> None:
    """benchmarks/bench_export.py at a tiny size: it runs and its figures parse (times nothing)."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_export", "--rows", "300"],
                         cwd=root, capture_output=True, text=True, timeout=120, check=True).stdout
    ratios = [float(x) for x in re.findall(r"ratio (\d+\.\d+)", out)]
    assert len(ratios) == 2 and all(r > 0 for r in ratios), out
