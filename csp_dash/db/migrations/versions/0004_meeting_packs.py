"""Meeting packs (issue 16) and a cube whose hexagonal cells count only the district (issue 17).

The cube is derived: a database whose cells layer was built with no district in effect gets
its cube rebuilt after the upgrade, which then keeps cells only inside a district.

Revision ID: 0004_meeting_packs
Revises: 0003_crimes_by_month
"""

from alembic import op
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, inspect

from csp_dash.db.migrations.run import request_rebuild

revision = "0004_meeting_packs"
down_revision = "0003_crimes_by_month"

# Frozen here: db/schema_meeting.py may change after this revision.
_meta = MetaData()
Table("meeting_packs", _meta,
      Column("pack_id", Integer, primary_key=True, autoincrement=False),
      Column("name", String(200), nullable=False),
      Column("created", DateTime, nullable=False))
Table("meeting_slides", _meta,
      Column("pack_id", Integer, primary_key=True, autoincrement=False),
      Column("position", Integer, primary_key=True, autoincrement=False),
      Column("page", String(100), nullable=False),
      Column("query", Text, nullable=False),
      Column("title", String(200), nullable=False))


def upgrade() -> None:
    conn = op.get_bind()
    missing = [t for t in _meta.sorted_tables if not inspect(conn).has_table(t.name)]
    _meta.create_all(conn, tables=missing)
    # Cells built before this release cover the whole force (docs/methods.md, "The cube's
    # size"): rebuild so only a district's are kept.
    if conn.exec_driver_sql("SELECT 1 FROM cube WHERE layer = 'h3' LIMIT 1").first():
        request_rebuild(conn)


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup")
