"""Schema migrations: a fresh database, a first-release database and one made before the
migrations all end at the head revision with their data intact, on both engines."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import delete, insert, select, text, update

from csp_dash.db import queries
from csp_dash.db.engine import init_db
from csp_dash.db.migrations import first_release
from csp_dash.db.migrations import run as migrations
from csp_dash.db.partitions import is_partitioned
from csp_dash.db.schema import SCHEMA_VERSION, category_themes, crimes, cube, metadata, schema_meta
from csp_dash.db.schema_partner import partner_datasets
from csp_dash.district.coverage import coverage
from csp_dash.ingest.police import ingest_police
from tests.policeuk_files import month_rows, write_street_csv

NOW = datetime(2026, 11, 23, 9, 0)
REPO = Path(__file__).resolve().parents[2]


def columns(engine) -> dict[str, list[tuple[str, str, str]]]:
    """Every table's (column, type, nullable) from information_schema, which both engines have."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name NOT LIKE 'crimes\\_%' "
            "ORDER BY table_name, ordinal_position")).all()
    out: dict[str, list] = {}
    for table, col, kind, nullable in rows:
        out.setdefault(table, []).append((col, kind, nullable))
    return out


def pg_indexes(engine) -> set[tuple[str, str]]:
    if engine.dialect.name != "postgresql":
        return set()
    with engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename NOT LIKE 'crimes\\_%'")).all())


def crime_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(crimes)))


def test_a_fresh_database_is_made_whole_and_stamped_at_head(empty_engine):
    assert migrations.current_revision(empty_engine) is None
    init_db(empty_engine)
    assert migrations.current_revision(empty_engine) == migrations.head()
    assert migrations.revisions()[0] == migrations.FIRST_RELEASE
    assert migrations.revisions()[-1] == migrations.head()
    have = columns(empty_engine)
    assert set(have) == {t.name for t in metadata.sorted_tables} | {"alembic_version"}
    with empty_engine.connect() as conn:
        assert is_partitioned(conn) == (empty_engine.dialect.name == "postgresql")
        assert conn.execute(select(schema_meta.c.value).where(
            schema_meta.c.key == "schema_version")).scalar() == str(SCHEMA_VERSION)


def test_the_revisions_from_nothing_make_the_same_schema_as_a_fresh_database(engine):
    # `engine` is the same database made fresh (create_all, stamped); rebuild it from nothing.
    fresh_cols, fresh_ix = columns(engine), pg_indexes(engine)
    with engine.begin() as conn:
        for name in sorted(fresh_cols):
            conn.exec_driver_sql(f"DROP TABLE {name} CASCADE" if conn.dialect.name == "postgresql"
                                 else f"DROP TABLE {name}")
    assert columns(engine) == {}
    with engine.begin() as conn:
        command.upgrade(migrations.config_for(conn), "head")
    assert columns(engine) == fresh_cols
    assert pg_indexes(engine) == fresh_ix
    with engine.connect() as conn:
        assert is_partitioned(conn) == (engine.dialect.name == "postgresql")


def _first_release_database(engine) -> None:
    """What the first release left: its tables, schema_version 1, crimes, a cube, a partner
    dataset without the later `sensitive` column, an edited theme."""
    first_release.metadata.create_all(engine)
    fr = first_release.metadata.tables
    rows = [dict(force="essex", month=date(2024, m, 1), row_no=i, crime_id=f"c{m}-{i}",
                 reported_by="Essex Police", falls_within="Essex Police", longitude=1.0 + i / 1e4,
                 latitude=51.7, location_key=1000 + i, location="On or near High Street",
                 lsoa_code="E01000001" if i % 3 else None, lsoa_name="Testshire 001",
                 category="Burglary" if i % 2 else "Robbery", outcome=None, context=None)
            for m in (1, 2) for i in range(7)]
    with engine.begin() as conn:
        conn.execute(insert(fr["schema_meta"]), [dict(key="schema_version", value="1"),
                                                 dict(key="created_at", value=NOW.isoformat())])
        conn.execute(insert(fr["category_themes"]), [
            dict(category="Burglary", theme="Acquisitive", sort_order=0),
            dict(category="Robbery", theme="Violence (edited)", sort_order=1)])
        conn.execute(insert(fr["crimes"]), rows)
        conn.execute(insert(fr["ingest_files"]), [
            dict(source="police", force="essex", month=date(2024, m, 1), file_name=f"2024-0{m}.csv",
                 sha256="0" * 64, rows_loaded=7, rows_no_location=0, rows_rejected=0, loaded_at=NOW)
            for m in (1, 2)])
        conn.execute(insert(fr["cube"]), dict(source="police", month=date(2024, 1, 1), layer="all",
                                              area_code="all", category="Burglary", count=999))
        conn.execute(insert(fr["partner_datasets"]), dict(
            dataset="police_da", theme="Domestic abuse", unit="records", mapping="{}",
            secret_check=None, updated_at=NOW))


def test_a_first_release_database_upgrades_in_place_with_its_data(empty_engine, tmp_path: Path):
    _first_release_database(empty_engine)
    before = crime_rows(empty_engine)
    assert len(before) == 14
    init_db(empty_engine)
    assert migrations.current_revision(empty_engine) == migrations.head()
    assert crime_rows(empty_engine) == before
    with empty_engine.connect() as conn:
        assert is_partitioned(conn) == (empty_engine.dialect.name == "postgresql")
        pd_row = conn.execute(select(partner_datasets)).one()._mapping
        themes = dict(conn.execute(select(category_themes.c.category, category_themes.c.theme)).all())
        tables = set(columns(empty_engine))
    assert pd_row["dataset"] == "police_da" and pd_row["sensitive"] is None
    assert themes == {"Burglary": "Acquisitive", "Robbery": "Violence (edited)"}  # not reseeded
    assert {"district_def", "plan_actions", "audit_log", "report_narrative"} <= tables
    # The cube is rebuilt from the crimes by this release's code (the stale 999 is gone).
    counts = queries.cube_counts(empty_engine, layer="all", by=("month", "category"))
    assert int(counts["count"].sum()) == 14
    assert set(counts["category"]) == {"Burglary", "Robbery"}
    cov = coverage(empty_engine)
    assert cov.inside + cov.outside + cov.no_location == 14
    # And today's ingest replaces a month of the upgraded table.
    f = write_street_csv(tmp_path, "2024-02", month_rows("2024-02", 3))
    assert ingest_police(empty_engine, [f]).files[0].status == "replaced"
    per_month = [r[1] for r in crime_rows(empty_engine)]
    assert (per_month.count(date(2024, 1, 1)), per_month.count(date(2024, 2, 1))) == (7, 3)


def test_a_database_made_before_the_migrations_is_recognised(empty_engine):
    # Today's create_all without Alembic (crimes unpartitioned even on PostgreSQL), version 1.
    metadata.create_all(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(insert(schema_meta), [dict(key="schema_version", value="1"),
                                           dict(key="created_at", value=NOW.isoformat())])
        conn.execute(insert(crimes), [dict(force="kent", month=date(2025, m, 1), row_no=1,
                                           category="Drugs") for m in (3, 4, 5)])
        conn.execute(insert(cube), dict(source="police", month=date(2025, 3, 1), layer="all",
                                        area_code="all", category="Drugs", count=7))
        assert not is_partitioned(conn)
    init_db(empty_engine)
    # Its cube is today's already: kept as it was, not rebuilt (a rebuild would count 1).
    assert int(queries.cube_counts(empty_engine, layer="all", by=("month",))["count"].sum()) == 7
    assert migrations.current_revision(empty_engine) == migrations.head()
    assert [r[1] for r in crime_rows(empty_engine)] == [date(2025, m, 1) for m in (3, 4, 5)]
    with empty_engine.connect() as conn:
        assert is_partitioned(conn) == (empty_engine.dialect.name == "postgresql")
        version = conn.execute(select(schema_meta.c.value)
                               .where(schema_meta.c.key == "schema_version")).scalar()
    assert version == str(SCHEMA_VERSION)  # a release from before now refuses it
    init_db(empty_engine)  # and again: nothing to do
    assert len(crime_rows(empty_engine)) == 3


def test_a_newer_revision_is_refused_and_nothing_changes(engine):
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(RuntimeError) as exc:
        init_db(engine)
    assert str(exc.value) == (f"The database has schema revision 9999_future, newer than this "
                              f"CSP Dash ({migrations.head()}). Upgrade CSP Dash.")
    assert migrations.current_revision(engine) == "9999_future"


def test_an_interrupted_upgrade_leaves_the_database_as_it_was(empty_engine, monkeypatch):
    _first_release_database(empty_engine)
    before = crime_rows(empty_engine)

    def broken(conn):
        raise RuntimeError("disk full")
    monkeypatch.setattr("csp_dash.db.engine.rebuild_derived", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        init_db(empty_engine)
    assert migrations.current_revision(empty_engine) is None
    assert crime_rows(empty_engine) == before
    with empty_engine.connect() as conn:
        assert not is_partitioned(conn)
        assert conn.execute(select(schema_meta.c.value).where(
            schema_meta.c.key == "schema_version")).scalar() == "1"
    monkeypatch.undo()
    init_db(empty_engine)
    assert migrations.current_revision(empty_engine) == migrations.head()
    assert crime_rows(empty_engine) == before


def test_init_db_on_an_up_to_date_database_changes_nothing(engine):
    with engine.begin() as conn:
        conn.execute(delete(category_themes).where(category_themes.c.category != "Drugs"))
        conn.execute(update(category_themes).values(theme="Mine"))
    init_db(engine)
    with engine.connect() as conn:
        assert conn.execute(select(category_themes.c.theme)).scalars().all() == ["Mine"]


def test_the_revision_chain_read_from_the_files_is_alembics():
    script = ScriptDirectory.from_config(migrations.config_for())
    assert migrations.revisions() == tuple(s.revision for s in reversed(list(script.walk_revisions())))
    assert migrations.head() == script.get_current_head()


def test_opening_an_up_to_date_database_does_not_import_alembic(tmp_path: Path):
    # Every page load opens the database: Alembic (~0.1-0.4 s to import) only when a revision runs.
    url = f"duckdb:///{tmp_path / 'x.duckdb'}"
    code = ("import sys\nfrom csp_dash.db.engine import init_db, make_engine\n"
            f"e = make_engine({url!r})\n"
            "init_db(e)\nfirst = 'alembic' in sys.modules\n"
            "e.dispose()\n")
    made = subprocess.run([sys.executable, "-c", code + "assert first, 'made: alembic ran'"],
                          capture_output=True, text=True, cwd=REPO)
    assert made.returncode == 0, made.stderr
    again = subprocess.run([sys.executable, "-c", code + "assert not first, 'alembic imported'"],
                           capture_output=True, text=True, cwd=REPO)
    assert again.returncode == 0, again.stderr


def test_processes_opening_a_new_database_at_once_make_it_once(empty_engine):
    # Several app replicas start together on one PostgreSQL: the advisory lock lines them up.
    if empty_engine.dialect.name != "postgresql":
        pytest.skip("one DuckDB file is opened by one process at a time")
    errors: list[BaseException] = []

    def start() -> None:
        try:
            init_db(empty_engine)
        except BaseException as exc:  # reported below, with the test's own assertion
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(select(schema_meta.c.key).order_by(schema_meta.c.key)).scalars().all() == [
            "created_at", "schema_version"]
    assert migrations.current_revision(empty_engine) == migrations.head()


def _crime_indexes(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename LIKE 'crimes%'")).scalars())


def test_an_upgrade_from_0004_drops_the_crimes_index_and_keeps_the_rows(engine, tmp_path: Path):
    # Revision 0005: the (force, month) index cost a third of each load (issue 17).
    with engine.begin() as conn:
        for name in sorted(columns(engine)):
            conn.exec_driver_sql(f"DROP TABLE {name} CASCADE" if conn.dialect.name == "postgresql"
                                 else f"DROP TABLE {name}")
        command.upgrade(migrations.config_for(conn), "0004_meeting_packs")
    pg = engine.dialect.name == "postgresql"
    if pg:
        assert "ix_crimes_force_month" in _crime_indexes(engine)
    folder = tmp_path / "police"
    write_street_csv(folder, "2018-01", month_rows("2018-01", 5))
    ingest_police(engine, [folder])
    before = crime_rows(engine)
    assert len(before) == 5
    with engine.begin() as conn:
        command.upgrade(migrations.config_for(conn), "head")
    assert migrations.current_revision(engine) == migrations.head()
    assert crime_rows(engine) == before
    if pg:
        assert _crime_indexes(engine) == set()  # the partitions' copies went with it
    # Replacing a force-month still works without the index.
    write_street_csv(folder, "2018-01", month_rows("2018-01", 3))
    report = ingest_police(engine, [folder])
    assert [f.status for f in report.files] == ["replaced"]
    assert len(crime_rows(engine)) == 3
