"""Pages read the cube and small tables, never the raw crime rows (docs/architecture.md,
"Data flow"): every SQL statement a page run sends is watched, on the demo."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, event

from tests.apptest_helpers import run_app

# The crime-series page works on individual records (near repeats need each point and date):
# it is the one page that reads them, the district's only (docs/methods.md).
CUBE_PAGES = ["overview.py", "trends.py", "hotspots.py", "domestic_abuse.py", "priorities.py",
              "action_plan.py", "data.py"]
CRIMES = re.compile(r"\b(FROM|JOIN)\s+crimes\b", re.IGNORECASE)


@pytest.fixture
def statements():
    import streamlit as st

    st.cache_data.clear()  # a query cached by an earlier test would go unseen
    seen: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", watch)
    yield seen
    event.remove(Engine, "before_cursor_execute", watch)


@pytest.mark.parametrize("page", CUBE_PAGES)
def test_page_sends_no_query_over_the_crime_rows(app_env, statements, page):
    at = run_app(f"app_pages/{page}")
    if page == "hotspots.py":  # the cells view too
        at.segmented_control(key="hs_unit").set_value("cells").run()
        assert not at.exception, [e.value for e in at.exception]
    assert any(re.search(r"\bcube\b", s) for s in statements)  # the watch sees the page's reads
    assert [s for s in statements if CRIMES.search(s)] == []
