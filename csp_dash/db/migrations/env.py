"""Alembic's environment: migrations run on the connection run.py hands over, in its transaction."""

from alembic import context

import csp_dash.db.migrations.duckdb_impl  # noqa: F401  registers the DuckDB implementation

context.configure(connection=context.config.attributes["connection"], target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
