"""Bad link parameters get a note, not a silent default; a database held by an ingest gets a
"busy" message and a retry, not a traceback (issue 12)."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from csp_dash.db.engine import init_db, make_engine
from csp_dash.ingest.police import ingest_police
from csp_dash.ui import state
from csp_dash.ui.url_params import url_notes
from tests.apptest_helpers import run_app
from tests.policeuk_files import month_rows, write_street_csv

MONTHS = [date(2018, 3, 1), date(2018, 2, 1), date(2018, 1, 1)]  # newest first
LENGTHS = [3, 6, 12, 24]


def test_good_parameters_have_no_notes():
    params = {"end": "2018-02", "len": "12", "layer": "estate", "area": "A", "themes": "Theft"}
    assert url_notes(params, MONTHS, LENGTHS, ["all", "estate"], ["A", "B"], ["Theft"], []) == []


def test_each_bad_parameter_has_its_note():
    params = {"end": "9999-99", "len": "7", "layer": "estate", "area": "Z",
              "themes": "Theft|Piracy", "cats": "Nope"}
    assert url_notes(params, MONTHS, LENGTHS, ["all", "estate"], ["A", "B"], ["Theft"],
                     ["Burglary"]) == [
        "The link's period 9999-99 is not loaded: showing the latest (2018-03).",
        "The link's period length 7 is not one of 3, 6, 12, 24 months: showing 12 months.",
        "The link's area 'Z' is not in layer 'estate': showing every area.",
        "The link's theme 'Piracy' is not known: left out.",
        "The link's category 'Nope' is not known: left out.",
    ]
    assert url_notes({"layer": "ward", "area": "W1"}, MONTHS, LENGTHS, ["all"]) == [
        "The link's area layer 'ward' is not loaded: showing the whole area."]


@pytest.fixture
def small_db(tmp_path: Path, monkeypatch) -> Path:
    """Three months of synthetic police.uk data: enough for the shared filters, no demo build."""
    path = tmp_path / "small.duckdb"
    eng = make_engine(f"duckdb:///{path}")
    init_db(eng)
    ingest_police(eng, [write_street_csv(tmp_path / m, m, month_rows(m, 5))
                        for m in ("2018-01", "2018-02", "2018-03")])
    eng.dispose()
    monkeypatch.setenv("CSP_DASH_DB_URL", f"duckdb:///{path}")
    return path


def test_a_bad_link_shows_notes_and_the_latest_period(small_db):
    at = run_app(end="9999-99", layer="ward")
    notes = [w.value for w in at.sidebar.warning]
    assert notes == ["The link's period 9999-99 is not loaded: showing the latest (2018-03).",
                     "The link's area layer 'ward' is not loaded: showing the whole area."]
    assert at.sidebar.selectbox(key="f_end").value == date(2018, 3, 1)
    assert at.query_params["end"] == "2018-03"  # the address bar now says what is shown


def _hold_lock(path: Path) -> subprocess.Popen:
    """Another process holding the DuckDB file, as `csp-dash ingest` does while it loads."""
    code = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "held"
    proc.stdout.close()
    return proc


def test_a_held_database_is_a_lock_error(small_db):
    holder = _hold_lock(small_db)
    try:
        eng = make_engine(f"duckdb:///{small_db}")
        with pytest.raises(OperationalError) as exc:
            init_db(eng)
        assert state.is_lock_error(exc.value)
        eng.dispose()
    finally:
        holder.kill()
        holder.wait()


def test_the_app_waits_for_a_held_database(small_db, monkeypatch):
    waits = []
    real_wait = state.wait_for_database

    def counted() -> None:
        waits.append(1)
        real_wait()

    monkeypatch.setattr(state, "RETRY_SECONDS", 0.5)
    monkeypatch.setattr(state, "wait_for_database", counted)
    holder = _hold_lock(small_db)
    release = threading.Timer(2.0, holder.kill)  # the ingest ends while the page waits
    release.start()
    try:
        at = run_app()
    finally:
        release.cancel()
        holder.kill()
        holder.wait()
    assert waits, "the page never met the held database"
    assert at.title[0].value == "Overview"
