"""PostgreSQL: crimes loses its (force, month) index (issue 17). DuckDB: nothing changes.

Maintaining the index cost about a third of loading crimes. It served only the delete of a
replaced force-month, which now scans that month's partition once per chunk of files
(docs/architecture.md, "Ingest pipeline").

Revision ID: 0005_crimes_without_force_index
Revises: 0004_meeting_packs
"""

from alembic import op

revision = "0005_crimes_without_force_index"
down_revision = "0004_meeting_packs"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # On the partitioned table this drops each partition's index with it.
    op.execute("DROP INDEX IF EXISTS ix_crimes_force_month")


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup")
