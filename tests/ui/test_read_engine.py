"""CSP_DASH_DB_READ_URL: pages read the data from the read replica, writes go to the primary.

Two PostgreSQL schemas stand in for the primary and its replica; their data differ on purpose
so a figure says which one it came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from csp_dash.db.engine import init_db
from csp_dash.events import list_events
from csp_dash.ingest.police import ingest_police
from tests.apptest_helpers import metric, run_app
from tests.conftest import _pg_engine
from tests.policeuk_files import month_rows, write_street_csv

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]


def _loaded(request, folder: Path, per_month: int):
    eng = _pg_engine(request)
    init_db(eng)
    ingest_police(eng, [write_street_csv(folder, m, month_rows(m, per_month)) for m in MONTHS])
    return eng


@pytest.fixture
def primary_and_replica(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    primary = _loaded(request, tmp_path / "primary", 2)
    replica = _loaded(request, tmp_path / "replica", 3)
    monkeypatch.setenv("CSP_DASH_DB_URL", primary.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CSP_DASH_DB_READ_URL", replica.url.render_as_string(hide_password=False))
    return primary, replica


def _all_crime(at) -> int:
    return int(metric(at, "All crime (excluding anti-social behaviour)").replace(",", ""))


def test_pages_read_the_replica_and_writes_go_to_the_primary(primary_and_replica):
    primary, replica = primary_and_replica
    at = run_app()
    assert _all_crime(at) == 3 * 12  # the replica's figures, not the primary's 2 a month
    at.switch_page("app_pages/trends.py").run()
    at.session_state["view"] = "SPC"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="ev_label").input("Crime recording audit")
    at.selectbox(key="ev_kind").set_value("note")
    next(b for b in at.button if b.label == "Add event").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(list_events(primary)["label"]) == ["Crime recording audit"]
    assert list_events(replica).empty  # (a real replica would receive it by streaming)
    # What the page has just edited is read back from the primary, so it shows at once.
    shown = next(d.value for d in at.dataframe if "event_id" in d.value.columns)
    assert list(shown["label"]) == ["Crime recording audit"]


def test_without_a_read_url_pages_read_the_primary(primary_and_replica, monkeypatch):
    monkeypatch.delenv("CSP_DASH_DB_READ_URL")
    assert _all_crime(run_app()) == 2 * 12
