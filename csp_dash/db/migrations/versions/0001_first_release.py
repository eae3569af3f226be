"""The first release's schema (commit 27334a9), from its frozen copy.

Revision ID: 0001_first_release
Revises: (none)
"""

from alembic import op

from csp_dash.db.migrations import first_release

revision = "0001_first_release"
down_revision = None


def upgrade() -> None:
    first_release.metadata.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore a backup")
