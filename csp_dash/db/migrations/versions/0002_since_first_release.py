"""Tables and columns added after the first release, before the migrations existed.

A database made between the two releases may hold some of them already: each step checks.

Revision ID: 0002_since_first_release
Revises: 0001_first_release
"""

from alembic import op
from sqlalchemy import Boolean, Column, inspect, select, text

from csp_dash.db.migrations import since_first_release
from csp_dash.db.migrations.run import request_rebuild

revision = "0002_since_first_release"
down_revision = "0001_first_release"


def upgrade() -> None:
    conn = op.get_bind()
    missing = [t for t in since_first_release.metadata.sorted_tables
               if not inspect(conn).has_table(t.name)]
    since_first_release.metadata.create_all(conn, tables=missing)
    # Portable column check: DuckDB's inspector lacks get_columns.
    have = set(conn.execute(select(text("*")).select_from(text("partner_datasets")).limit(0)).keys())
    if "sensitive" not in have:
        op.add_column("partner_datasets", Column("sensitive", Boolean))
    if missing or "sensitive" not in have:
        # Older than the district (docs/methods.md, "The district"): its cubes lack the
        # district's layers.
        request_rebuild(conn)


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup")
