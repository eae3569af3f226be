"""PostgreSQL keeps crimes in monthly partitions made by the ingest; replacing a force-month
touches only its month's partition. DuckDB keeps one table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import event, func, select, text

from csp_dash.db.partitions import ensure_crime_partitions, existing_partitions, is_partitioned
from csp_dash.db.schema import crimes
from csp_dash.ingest import police
from csp_dash.ingest.police import ingest_police
from tests.policeuk_files import month_rows, write_street_csv


def _per_month(engine) -> dict[date, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(crimes.c.month, func.count()).group_by(crimes.c.month)).all())


def test_the_ingest_makes_a_partition_per_new_month(engine, tmp_path: Path):
    files = [write_street_csv(tmp_path, m, month_rows(m, n)) for m, n in (("2024-11", 3), ("2024-12", 2))]
    ingest_police(engine, files)
    ingest_police(engine, [write_street_csv(tmp_path, "2025-01", month_rows("2025-01", 4))])
    assert _per_month(engine) == {date(2024, 11, 1): 3, date(2024, 12, 1): 2, date(2025, 1, 1): 4}
    with engine.connect() as conn:
        if engine.dialect.name != "postgresql":
            assert not is_partitioned(conn)
            assert ensure_crime_partitions(engine, [date(2030, 1, 1)]) == []
            return
        assert existing_partitions(conn) == {"crimes_2024_11", "crimes_2024_12", "crimes_2025_01"}
        # Each month's rows sit in that month's partition.
        assert conn.execute(text("SELECT count(*) FROM ONLY crimes_2024_12")).scalar() == 2
    assert ensure_crime_partitions(engine, [date(2024, 12, 1)]) == []  # already there
    assert ensure_crime_partitions(engine, [date(2025, 2, 1), date(2025, 2, 1)]) == ["crimes_2025_02"]


def test_replacing_a_force_month_deletes_from_its_partition_only(engine, tmp_path: Path):
    for m in ("2024-10", "2024-11", "2024-12"):
        ingest_police(engine, [write_street_csv(tmp_path / m, m, month_rows(m, 3))])
    deletes: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("DELETE FROM CRIMES"):
            deletes.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        result = ingest_police(engine, [write_street_csv(tmp_path / "new", "2024-11",
                                                         month_rows("2024-11", 5))])
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert result.files[0].status == "replaced"
    assert _per_month(engine) == {date(2024, 10, 1): 3, date(2024, 11, 1): 5, date(2024, 12, 1): 3}
    assert len(deletes) == 1  # the replace path's own DELETE, as it ran
    if engine.dialect.name != "postgresql":
        return
    statement, parameters = deletes[0]
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            cur.execute("EXPLAIN " + statement, parameters)
            plan = "\n".join(r[0] for r in cur.fetchall())
    assert "crimes_2024_11" in plan
    assert "crimes_2024_10" not in plan and "crimes_2024_12" not in plan


def test_a_load_analyses_the_partitions_it_wrote_not_the_whole_table(engine, tmp_path: Path,
                                                                      monkeypatch):
    """ANALYZE of the parent samples every partition, so each load would cost more than the
    last (issue 17): only the chunk's months are analysed, once a chunk."""
    monkeypatch.setattr(police, "ANALYZE_ROWS", 1)  # analyse even these few rows
    analysed: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def watch(conn, cursor, statement, *args):
        if statement.startswith("ANALYZE"):
            analysed.append(statement)

    ingest_police(engine, [write_street_csv(tmp_path, "2024-10", month_rows("2024-10", 3))])
    ingest_police(engine, [write_street_csv(tmp_path, m, month_rows(m, 2)) for m in ("2024-11", "2024-12")])
    event.remove(engine, "before_cursor_execute", watch)
    if engine.dialect.name != "postgresql":
        assert analysed == []  # DuckDB keeps its statistics as it goes
        return
    assert analysed == ["ANALYZE crimes_2024_10", "ANALYZE crimes_2024_11", "ANALYZE crimes_2024_12"]
