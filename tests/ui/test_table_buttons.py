"""Issue 16: every table on every page has its CSV and XLSX buttons, right under it.

Each page (and each of its tabs) runs on a copy of the demo; in the order the page draws its
elements, every dataframe must be followed by a CSV and an XLSX download button before the
next dataframe. The exceptions (docs/architecture.md, "Table exports") are the participant's
phone view and the room screen, which this test does not open. The buttons' files are then
checked as every export is (tests/ui/test_exports_pages.py: no None, no unrounded float).
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csp_dash.access import allowlist
from csp_dash.db.engine import make_engine
from tests.apptest_helpers import APP
from tests.export_capture import capture
from tests.ui.test_exports_pages import AUTH, VIEWS, check_table_exports

pytestmark = pytest.mark.slow

ADMIN = {"email": "ada@council.example", "name": "Ada Admin"}


@pytest.fixture
def db(own_demo: str) -> str:
    """A copy of the demo: opening and closing a workshop, and signing in, write to it."""
    return own_demo


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(page: str, admin: bool = False, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if admin:
        at.secrets = AUTH
        at.user = {"is_logged_in": True, **ADMIN}
    for k, v in params.items():
        at.query_params[k] = v
    at.run()  # registers the role's pages, so switch_page finds each
    at.switch_page(f"app_pages/{page}")
    return _ok(at.run())


def _describe(node) -> str:
    return ", ".join(map(str, node.value.columns[:4])) if hasattr(node, "value") else "?"


def _editor(node) -> bool:
    """A data editor (an input: improvement directions, harm weights) is not a table to export."""
    return node.editing_mode != "read_only"


def unbuttoned(at: AppTest) -> list[str]:
    """The tables drawn without a CSV and an XLSX button after them (before the next table),
    named by their first columns."""
    drawn = [n for n in at._tree if getattr(n, "type", None) == "download_button"
             or (getattr(n, "type", None) == "dataframe" and not _editor(n))]
    missing = []
    for i, node in enumerate(drawn):
        if node.type != "dataframe":
            continue
        labels = set()
        for after in drawn[i + 1:]:
            if after.type == "dataframe":
                break
            labels.add(after.label)
        if not {"CSV", "XLSX"} <= labels:
            missing.append(_describe(node))
    return missing


def _tables(at: AppTest) -> int:
    return len(at.dataframe)


def _each_tab(at: AppTest, key: str, labels: list[str]):
    """Yield the page with each of its tabs open (the tabs are lazy)."""
    yield at
    for label in labels[1:]:
        if any(t.label == label for t in at.tabs):
            at.session_state[key] = label
            yield _ok(at.run())


@pytest.mark.parametrize("page", [p for p in VIEWS if p != "data"] + ["report"])
def test_every_table_of_every_page_has_its_buttons(db, page):
    key, labels = VIEWS.get(page) or (None, [])
    drawn = 0
    with capture() as seen:
        at = _open(f"{page}.py")
        for view in _each_tab(at, key, labels) if key else [at]:
            assert unbuttoned(view) == [], (page, view.session_state[key] if key else None)
            drawn += _tables(view)
        if page == "hotspots":  # the appendix tables, shown on request
            at.session_state["hs_tab"] = "Appendices"
            _ok(at.run())
            at.toggle(key="hs_show_appendix").set_value(True)
            _ok(at.run())
            assert unbuttoned(at) == []
            drawn += _tables(at)
    assert drawn >= 1, page
    check_table_exports(seen)


def test_the_data_pages_tables_have_their_buttons(db):
    """Coverage, layers, rejected rows, partner datasets with their file logs and rejects,
    and the result of the last load (kept across the rerun that follows a load)."""
    with capture() as seen:
        at = _open("data.py")
        assert unbuttoned(at) == []
        shown = [list(d.value.columns) for d in at.dataframe]
        assert len(shown) >= 4, shown  # coverage, layers, rejects, partner datasets and logs
        rows = pd.DataFrame({"File": ["2024-01-x-street.csv"], "Rows": [12], "Force": ["x"]})
        at.session_state["police_upload_result"] = {"errors": [], "success": "Loaded 1 file",
                                                    "table": rows}
        at.session_state["pu_last"] = ("x.csv: 3 rows loaded", pd.DataFrame(
            {"row": [2], "reason": ["no month"]}))
        n = len(at.dataframe)
        _ok(at.run())
        assert len(at.dataframe) == n + 2  # both results drawn
        assert unbuttoned(at) == []
    check_table_exports(seen)


def test_the_admin_tables_have_their_buttons(db, monkeypatch):
    monkeypatch.setenv("CSP_DASH_ADMIN_EMAIL", ADMIN["email"])
    eng = make_engine(db)
    allowlist.set_role(eng, "email", "pat@police.example", "partner", "test")
    eng.dispose()
    with capture() as seen:
        at = _open("admin.py", admin=True)
        drawn = 0
        for view in _each_tab(at, "admin_tab", ["Users and roles", "Audit log"]):
            assert unbuttoned(view) == []
            drawn += _tables(view)
        assert drawn >= 2
    check_table_exports(seen)


def _click(at: AppTest, label_start: str) -> AppTest:
    next(b for b in at.button if b.label.startswith(label_start)).click()
    return _ok(at.run())


def test_the_workshop_tables_have_their_buttons(db):
    """The workshop list, then the facilitator's view (each tab) before and after closing."""
    from csp_dash.priorities.workshop.sessions import list_workshops

    with capture() as seen:
        at = _open("workshop.py")
        _click(at, "Open the workshop")
        wid = list_workshops(make_engine(db))["workshop_id"].iloc[0]
        listing = _open("workshop.py")
        assert _tables(listing) >= 1 and unbuttoned(listing) == []
        fac = _open("workshop.py", w=wid)
        tabs = ["Live results", "Agree the list", "Year on year"]
        drawn = 0
        for view in _each_tab(fac, "wf_tab", tabs):
            assert unbuttoned(view) == [], view.session_state["wf_tab"]
            drawn += _tables(view)
        assert drawn >= 3
        fac.session_state["wf_tab"] = "Agree the list"
        _ok(fac.run())
        fac.number_input(key="wf_n").set_value(2).run()
        for i, pick in enumerate(["Violence", "Drugs"]):
            fac.selectbox(key=f"wf_pick_{i}").set_value(pick)
            fac.text_area(key=f"wf_why_{i}").input(f"Reason {i + 1}")
        _click(fac, "Close the workshop")
        assert any("The agreed list for" in s.value for s in fac.success)
        assert _tables(fac) >= 1 and unbuttoned(fac) == []
    check_table_exports(seen)
