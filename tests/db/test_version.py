"""The data version (db/version.py): moved by committed writes only, on both engines."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from csp_dash import events, harm
from csp_dash.db.version import bump, current
from csp_dash.ingest.police import ingest_police
from csp_dash.trends.queries import set_directions
from tests.policeuk_files import month_rows, write_street_csv


def _version(engine) -> int:
    with engine.connect() as conn:
        return int(current(conn))


def test_bump_moves_only_when_committed(engine):
    assert _version(engine) == 0
    with engine.begin() as conn:
        bump(conn)
    assert _version(engine) == 1
    with pytest.raises(RuntimeError), engine.begin() as conn:
        bump(conn)
        raise RuntimeError("the write failed")
    assert _version(engine) == 1  # rolled back with the write
    with engine.begin() as conn:
        bump(conn)
        bump(conn)  # twice in one transaction (DuckDB: the turn is already held)
    assert _version(engine) == 3


def test_concurrent_writers_each_move_it(engine):
    """Threads writing at once (one process, several sessions): no conflict, no lost bump."""
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                with engine.begin() as conn:
                    bump(conn)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert _version(engine) == 40


WRITES = {
    "harm weights": lambda eng, tmp: harm.set_weights(eng, next(iter(harm.SCHEMES)), {"Burglary": 99.0}),
    "event": lambda eng, tmp: events.add_event(eng, date(2024, 1, 1), "Recording change"),
    "direction": lambda eng, tmp: set_directions(eng, {"Violence": "up"}),
    "police ingest": lambda eng, tmp: ingest_police(
        eng, [write_street_csv(tmp, "2024-01", month_rows("2024-01", 3))]),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_writes_move_it(engine, tmp_path: Path, write: str):
    before = _version(engine)
    WRITES[write](engine, tmp_path)
    assert _version(engine) > before
