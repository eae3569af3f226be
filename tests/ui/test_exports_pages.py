"""Every table download of every page, built as a click builds it, on the demo: numbers are
numbers rounded as the XLSX number format shows them, no Python None / NaN, column widths
and readable sheet names; in the public role only what the public view shows. And the
labels a partner reads: no "Lsoa", no "None", no raw dataset keys."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csp_dash.db import partner_queries
from csp_dash.db.engine import make_engine
from csp_dash.disclosure.release import hidden_label, threshold
from tests.apptest_helpers import APP, run_app
from tests.export_capture import Offered, capture, csv_cells, xlsx_sheet

AUTH = {"auth": {
    "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-cookie",
    "client_id": "csp-dash", "client_secret": "s3cret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}}
PYTHON_VALUES = {"None", "nan", "NaN", "<NA>", "NaT", "inf", "-inf"}
MOST_DECIMALS = 4  # p values; everything else has fewer (docs/methods.md, "Exported numbers")
ILLEGAL_SHEET = re.compile(r"[\[\]:*?/\\]")
LINK_TARGET = re.compile(r"\]\([^)]*\)")  # a link's address holds URL parameters, not words
DECIMAL = re.compile(r"^[+-]?\d+\.(\d+)$")

# Page, and the tabs to open: (session-state key or query parameter, labels).
VIEWS = {
    "overview": None,
    "trends": ("view", ["Trend", "Year on year", "SPC", "Seasonal", "Harm", "Comparison",
                        "Forecast"]),
    "hotspots": ("hs_tab", ["Hotspots", "Classes over time", "Concentration", "Area profile",
                            "Appendices", "Deprivation"]),
    "crime_series": None,
    "domestic_abuse": None,
    "priorities": ("pr_tab", ["Ranked list", "Scores", "Candidates", "Public concern",
                              "Scoring model", "Year on year"]),
    "data": None,
    "action_plan": ("plan_tab", ["Plan", "Progress", "Calendar", "Review and files",
                                 "Public summary"]),
}


def _public_app(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _visit(page: str, public: bool = False) -> tuple[list[Offered], list[AppTest]]:
    """Open the page (and each of its tabs), collecting every download offered."""
    runs = []
    with capture() as seen:
        at = _public_app(page) if public else run_app(f"app_pages/{page}.py")
        runs.append(at)
        key, tabs = VIEWS.get(page) or (None, [])
        for tab in tabs[1:]:
            if not any(t.label == tab for t in at.tabs):
                continue  # not this role's tab
            at.session_state[key] = tab
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            runs.append(at)
    return seen, runs


def _decimals(number_format: str) -> int:
    body = number_format.split(";")[0]
    places = len(body.split(".")[1].rstrip("%")) if "." in body else 0
    return places + (2 if body.endswith("%") else 0)


def check_table_exports(seen: list[Offered], keys: set[str] = frozenset()) -> int:
    """Assert every CSV/XLSX pair is clean (no raw dataset ``keys`` in any cell either);
    returns how many tables were checked."""
    files = {o.file_name: o for o in seen if o.label in ("CSV", "XLSX")}
    stems = {name.rsplit(".", 1)[0] for name in files}
    for stem in sorted(stems):
        rows = csv_cells(files[f"{stem}.csv"].build())
        cells = [c for r in rows for c in r]
        assert not PYTHON_VALUES & set(cells), (stem, PYTHON_VALUES & set(cells))
        assert not any(re.search(r"\bLsoas?\b", c) for c in cells), stem  # "LSOA", in words
        for k in keys:
            assert not any(re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", c) for c in cells), (
                stem, k)
        for c in cells:
            m = DECIMAL.match(c)
            assert not m or len(m[1]) <= MOST_DECIMALS, (stem, c)
        ws = xlsx_sheet(files[f"{stem}.xlsx"].build())
        assert 0 < len(ws.title) <= 31 and not ILLEGAL_SHEET.search(ws.title), ws.title
        assert "_" not in ws.title, ws.title  # words, not mangled characters
        firsts = [ws.cell(row=i, column=1).value for i in range(1, ws.max_row + 1)]
        header = next(i for i, v in enumerate(firsts, 1) if not str(v).startswith("# "))
        n_cols = ws.max_column
        for col in range(1, n_cols + 1):
            letter = ws.cell(row=header, column=col).column_letter
            assert ws.column_dimensions[letter].width and ws.column_dimensions[letter].width >= 8
        for row in ws.iter_rows(min_row=header + 1):
            for cell in row:
                v = cell.value
                if isinstance(v, str):
                    assert v not in PYTHON_VALUES, (stem, cell.coordinate, v)
                    # a number stored as text would be a plain number string
                    assert not re.fullmatch(r"[+-]?\d[\d,]*(\.\d+)?%?", v), (stem, cell.coordinate, v)
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    assert cell.number_format != "General", (stem, cell.coordinate)
                    d = _decimals(cell.number_format)
                    assert round(v, d) == v, (stem, cell.coordinate, v, cell.number_format)
                    assert d <= MOST_DECIMALS + 2
    return len(stems)


def test_overview_tables_have_csv_and_xlsx(app_env):
    seen, _ = _visit("overview")
    names = {o.file_name for o in seen}
    assert {"overview-by-theme.csv", "overview-by-theme.xlsx", "overview-by-category.csv",
            "overview-by-category.xlsx"} <= names
    assert check_table_exports(seen) == 2
    ws = xlsx_sheet(next(o for o in seen if o.file_name == "overview-by-category.xlsx").build())
    header = [c.value for c in ws[3]]
    assert header[0] == "Category" and "Change %" in header
    pct = header.index("Change %") + 1
    assert ws.cell(row=4, column=pct).number_format.startswith("+#,##0.0;")
    assert ws.cell(row=4, column=2).data_type == "n"  # the count is a number


@pytest.mark.slow
@pytest.mark.parametrize("page", list(VIEWS))
def test_every_table_export_of_every_page_is_clean(app_env, page):
    seen, _ = _visit(page)
    keys = set(partner_queries.dataset_titles(make_engine(app_env))) if page != "data" else set()
    assert check_table_exports(seen, keys) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("page", ["overview", "trends", "hotspots", "domestic_abuse",
                                  "priorities"])
def test_public_exports_are_clean(app_env, page):
    seen, _ = _visit(page, public=True)
    assert check_table_exports(seen) >= 1


def _shown_frames(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def test_public_da_exports_hold_only_the_published_cells(app_env):
    """The public DA tables export as numbers: a hidden cell is empty and named in the
    Hidden column, every other cell is the number the page shows, and nothing more."""
    seen, runs = _visit("domestic_abuse", public=True)
    at = runs[0]
    label = hidden_label(threshold())  # as the page labels a hidden cell
    shown = [f for f in _shown_frames(at) if f.columns[0] in ("Estate", "Referred to")]
    assert shown, "the public view shows its published tables"
    csvs = {o.file_name: o for o in seen if o.label == "CSV"}
    checked = 0
    for frame in shown:
        first = frame.columns[0]
        stem = "da-estates" if first == "Estate" else "da-referrals"
        data = next(o for n, o in csvs.items() if n.startswith(stem))
        rows = csv_cells(data.build())
        body = [r for r in rows if not (len(r) == 1 and r[0].startswith("#"))]
        out = pd.DataFrame(body[1:], columns=body[0])
        assert list(out.columns) == [*frame.columns, "Hidden"]
        for i, row in frame.reset_index(drop=True).iterrows():
            hidden = []
            for col in frame.columns[1:]:
                v = str(row[col])
                if v.strip() == label:
                    assert out.at[i, col] == "", (col, v)
                    hidden.append(col)
                else:
                    assert out.at[i, col] == v.replace(",", ""), (col, v, out.at[i, col])
                checked += 1
            assert out.at[i, "Hidden"] == (f"{label}: {', '.join(hidden)}" if hidden else "")
    assert checked > 0
    assert check_table_exports(seen) >= 2


def _page_text(at: AppTest) -> list[str]:
    """Every string the page shows: headings, text, captions, table headers and cells,
    widget labels and options, tab labels."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info",
                 "warning", "success", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [t.label for t in at.tabs]
    for w in [*at.selectbox, *at.multiselect, *at.radio]:
        out.append(str(w.label))
        out += [str(o) for o in w.options]
    for frame in _shown_frames(at):
        out += [str(c) for c in frame.columns]
        for col in frame.columns:
            if not pd.api.types.is_numeric_dtype(frame[col]):
                out += [str(v) for v in frame[col] if isinstance(v, str)]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("page", list(VIEWS))
@pytest.mark.parametrize("layer", ["all", "lsoa"])
def test_labels_are_in_the_partnerships_words(app_env, page, layer):
    keys = set(partner_queries.dataset_titles(make_engine(app_env)))
    with capture():
        at = run_app(f"app_pages/{page}.py", layer=layer)
        runs = [[*_page_text(at)]]
        key, tabs = VIEWS.get(page) or (None, [])
        for tab in tabs[1:]:
            if any(t.label == tab for t in at.tabs):
                at.session_state[key] = tab
                at.run()
                assert not at.exception, [e.value for e in at.exception]
                runs.append(_page_text(at))
    for text in (LINK_TARGET.sub("]", t) for run in runs for t in run):
        # "LSOA"/"LSOAs" only; a file name (lsoa.geojson) is the user's own
        assert not re.search(r"\b(Lsoas?|lsoas?)\b(?!\.[a-z])", text), (page, text)
        assert text.strip() != "None" and not re.search(r"\bNone\b(?! of| is| was)", text), (
            page, text)
        assert not re.search(r"\b\d{1,3}(,\d{3})*\.\d+ residents\b", text), (page, text)
        for k in keys if page != "data" else ():  # the Data page names each for commands
            assert not re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text), (page, k, text)


@pytest.mark.slow
def test_essex_colchester_exports_are_clean(essex_loaded, tmp_path, monkeypatch):
    """Real data: Colchester declared as the district on a copy of the Essex months. The
    comparison is withheld (months missing): the change cells are empty and the significance
    column says why, in words."""
    import shutil
    from pathlib import Path

    from csp_dash.district import declare

    copy = tmp_path / "essex.duckdb"
    shutil.copy(Path(essex_loaded.removeprefix("duckdb:///")), copy)
    url = f"duckdb:///{copy}"
    eng = make_engine(url)
    assert declare.from_name_prefix(eng, "Colchester") > 0
    eng.dispose()
    monkeypatch.setenv("CSP_DASH_DB_URL", url)
    seen, _ = _visit("overview")
    assert check_table_exports(seen) == 2
    rows = csv_cells(next(o for o in seen if o.file_name == "overview-by-category.csv").build())
    body = [r for r in rows if not r[0].startswith("#")]
    header, data = body[0], body[1:]
    assert data and "Colchester" in rows[0][0]
    for r in data:
        cells = dict(zip(header, r, strict=True))
        assert cells["Change"] == cells["Change %"] == cells["Poisson z"] == ""
        assert cells["Significance (|z| > 2)"] == "no comparison (months missing)"
        assert int(cells[header[1]]) >= 0  # counts are whole numbers
    seen, _ = _visit("hotspots")
    assert check_table_exports(seen) >= 1
