"""PostgreSQL: crimes partitioned by month (rename, create partitioned, copy, drop). DuckDB:
nothing changes.

Revision ID: 0003_crimes_by_month
Revises: 0002_since_first_release
"""

from alembic import op

from csp_dash.db.migrations.first_release import crimes as CRIMES  # unchanged since: frozen there
from csp_dash.db.partitions import (
    create_indexes,
    create_month_partitions,
    create_partitioned,
    is_partitioned,
)

revision = "0003_crimes_by_month"
down_revision = "0002_since_first_release"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or is_partitioned(conn):
        return
    op.execute("ALTER TABLE crimes RENAME TO crimes_unpartitioned")
    op.execute("ALTER INDEX IF EXISTS ix_crimes_force_month RENAME TO ix_crimes_unpartitioned")
    create_partitioned(conn, CRIMES, indexes=False)  # built once after the copy: faster
    months = conn.exec_driver_sql("SELECT DISTINCT month FROM crimes_unpartitioned").scalars()
    create_month_partitions(conn, list(months))
    cols = ", ".join(c.name for c in CRIMES.c)
    op.execute(f"INSERT INTO crimes ({cols}) SELECT {cols} FROM crimes_unpartitioned")  # noqa: S608
    op.execute("DROP TABLE crimes_unpartitioned")
    create_indexes(conn, CRIMES)


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup")
