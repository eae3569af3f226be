"""Schema migrations with Alembic: hand-written revisions in versions/, run by run.py.

No alembic.ini: run.py configures Alembic in code (docs/architecture.md, "Schema and
migrations")."""
