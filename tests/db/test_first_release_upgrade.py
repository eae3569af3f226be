"""A database written by the first release's own code (commit 27334a9, run in a subprocess)
upgrades in place with its data intact, and today's pages' queries read it."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from csp_dash.db import queries
from csp_dash.db.engine import init_db
from csp_dash.db.migrations import run as migrations
from csp_dash.db.partitions import is_partitioned
from csp_dash.db.schema import crimes, ingest_files
from csp_dash.district.coverage import coverage
from csp_dash.ingest.police import ingest_police
from csp_dash.overview.comparison import compare_periods
from tests.policeuk_files import crime, month_rows, write_street_csv

FIRST_RELEASE_COMMIT = "27334a9"
REPO = Path(__file__).resolve().parents[2]


def _first_release_tree(tmp: Path) -> Path:
    try:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", FIRST_RELEASE_COMMIT, "csp_dash"],
                                 capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("needs the git history (commit 27334a9)")
    tree = tmp / "first_release"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(crimes)))


@pytest.mark.slow
def test_a_database_the_first_release_wrote_upgrades_in_place(empty_engine, tmp_path: Path):
    tree = _first_release_tree(tmp_path)
    files = tmp_path / "in"
    for month, n in (("2024-01", 6), ("2024-02", 4)):
        rows = month_rows(month, n, no_location=1)
        rows.append(crime(month, "Anti-social behaviour", lon=1.01, lat=51.71))
        write_street_csv(files, month, rows)
    url = empty_engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(tree), "CSP_DASH_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "csp_dash.cli", "ingest", "police", str(files),
                           "--db", url], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "rows loaded: 14" in done.stdout
    before = _rows(empty_engine)
    assert len(before) == 14 and migrations.current_revision(empty_engine) is None

    init_db(empty_engine)
    assert migrations.current_revision(empty_engine) == migrations.head()
    assert _rows(empty_engine) == before
    with empty_engine.connect() as conn:
        assert is_partitioned(conn) == (empty_engine.dialect.name == "postgresql")
        assert conn.execute(select(func.count()).select_from(ingest_files)).scalar() == 2
    # Today's pages' queries read it.
    counts = queries.cube_counts(empty_engine, layer="all", by=("month", "category"))
    assert int(counts["count"].sum()) == 14 - 2  # the no-location rows are left out of "all"
    assert coverage(empty_engine).no_location == 2
    assert queries.month_range(empty_engine) == (before[0][1], before[-1][1])
    last = before[-1][1]
    compared = compare_periods(counts, queries.theme_table(empty_engine), end=last,
                               loaded=[before[0][1], last], length=1)
    assert int(compared.asb["current"]) == 1  # the February ASB row
    assert compared.missing_months == [last.replace(year=last.year - 1)]  # no 2023 loaded
    # The first release refuses the upgraded database rather than misreading it.
    empty_engine.dispose()  # DuckDB: one process holds the file at a time
    again = subprocess.run([sys.executable, "-m", "csp_dash.cli", "counts", "--db", url], cwd=tree,
                           env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode != 0 and "newer than this CSP Dash" in again.stderr
    # Today's ingest replaces a month in the upgraded (on PostgreSQL, partitioned) table.
    f = write_street_csv(tmp_path / "new", "2024-02", month_rows("2024-02", 2))
    assert ingest_police(empty_engine, [f]).files[0].status == "replaced"
    assert len(_rows(empty_engine)) == 8 + 2
