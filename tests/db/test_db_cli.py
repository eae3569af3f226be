"""`csp-dash db current|upgrade`: what each says of an empty, an old, a current and a newer
database, and that an upgrade keeps the data."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, text

from csp_dash.cli.commands import main
from csp_dash.db.engine import make_engine
from csp_dash.db.migrations import first_release
from csp_dash.db.migrations import run as migrations


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_db_current_and_upgrade_from_empty_to_head(tmp_path: Path, capsys):
    url = f"duckdb:///{tmp_path / 'x.duckdb'}"
    head = migrations.head()
    code, out, _ = _run(capsys, "db", "current", "--db", url)
    assert code == 0 and out.startswith("revision: none: an empty database")
    code, out, _ = _run(capsys, "db", "upgrade", "--db", url)
    assert (code, out) == (0, f"upgraded: none -> {head}\n")
    code, out, _ = _run(capsys, "db", "current", "--db", url)
    assert (code, out) == (0, f"revision: {head} (head: up to date)\n")
    code, out, _ = _run(capsys, "db", "upgrade", "--db", url)
    assert (code, out) == (0, f"up to date: {head}\n")


def test_db_upgrade_of_a_first_release_database_keeps_its_rows(tmp_path: Path, capsys):
    url = f"duckdb:///{tmp_path / 'old.duckdb'}"
    eng = make_engine(url)
    first_release.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(insert(first_release.metadata.tables["schema_meta"]),
                     [{"key": "schema_version", "value": "1"}])
        conn.execute(insert(first_release.metadata.tables["rejects"]), [
            {"source": "police", "force": "essex", "month": "2024-01-01", "file_name": "f.csv",
             "row_no": i, "reason": "no month", "raw": None} for i in range(4)])
    eng.dispose()
    code, out, _ = _run(capsys, "db", "current", "--db", url)
    assert code == 0 and "made before the migrations" in out
    code, out, _ = _run(capsys, "db", "upgrade", "--db", url)
    assert (code, out) == (0, f"upgraded: none -> {migrations.head()}\n")
    eng = make_engine(url)
    with eng.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM rejects")).scalar() == 4
    eng.dispose()


def test_a_newer_database_is_refused_plainly(tmp_path: Path, capsys):
    url = f"duckdb:///{tmp_path / 'new.duckdb'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    eng = make_engine(url)
    with eng.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999_later'"))
    eng.dispose()
    capsys.readouterr()
    code, out, _ = _run(capsys, "db", "current", "--db", url)
    assert code == 0 and out.startswith("revision: 0999_later: newer than this CSP Dash")
    code, out, err = _run(capsys, "db", "upgrade", "--db", url)
    assert code == 2 and out == ""
    assert err == (f"error: The database has schema revision 0999_later, newer than this CSP Dash "
                   f"({migrations.head()}). Upgrade CSP Dash.\n")
