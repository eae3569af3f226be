"""The data version: one counter in `schema_meta`, moved by every write pages show.

Every cached query is keyed by it (`ui/cache.py`), so a load through one app replica or a
command is seen by every other replica at its next rerun (docs/architecture.md, "Several
replicas"). Call `bump(conn)` as the LAST statement of the writing transaction: the counter
row is then locked (PostgreSQL) or held (DuckDB) only until the commit, and no transaction
waits on anything while holding it.

Workshop submissions do not bump it: the live results are keyed by their own per-workshop
version (`priorities.workshop.submissions.workshop_version`), and thirty partners scoring
must not empty every other page's cache. Audit entries and roles are read uncached.
"""

from __future__ import annotations

import threading

from sqlalchemy import BigInteger, Connection, String, cast, event, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from csp_dash.db.schema import schema_meta

KEY = "data_version"
_HELD = "_csp_dash_version_held"
# DuckDB refuses two open transactions updating one row ("Conflict on update"), where
# PostgreSQL makes the second wait: in one process, bumps on DuckDB take turns.
_duck_turn = threading.Lock()
_TURN_WAIT = 120  # seconds; a write holding the turn longer is stuck, not slow


def current(conn: Connection) -> str:
    """The version now committed ("0" before the first write)."""
    found = conn.execute(select(schema_meta.c.value).where(schema_meta.c.key == KEY)).scalar()
    return found or "0"


def bump(conn: Connection) -> None:
    """Move the version, inside the caller's transaction (it moves only if that commits)."""
    moved = cast(cast(schema_meta.c.value, BigInteger) + 1, String)
    if conn.dialect.name == "postgresql":  # one statement: two first bumps cannot both insert
        conn.execute(pg_insert(schema_meta).values(key=KEY, value="1")
                     .on_conflict_do_update(index_elements=[schema_meta.c.key],
                                            set_={"value": moved}))
        return
    _take_turn(conn)
    if not conn.execute(update(schema_meta).where(schema_meta.c.key == KEY)
                        .values(value=moved)).rowcount:
        conn.execute(insert(schema_meta).values(key=KEY, value="1"))


def _take_turn(conn: Connection) -> None:
    if conn.info.get(_HELD):
        return  # this transaction already holds it
    if not _duck_turn.acquire(timeout=_TURN_WAIT):
        raise TimeoutError("another write has held the database for over two minutes")
    conn.info[_HELD] = True
    # Given back when the connection returns to the pool, after its commit or rollback
    # (a "commit" event would fire before the commit itself).
    if not event.contains(conn.engine, "checkin", _give_turn):
        event.listen(conn.engine, "checkin", _give_turn)


def _give_turn(dbapi_connection, record) -> None:
    if record.info.pop(_HELD, False):
        _duck_turn.release()
