"""Alembic needs an implementation per dialect; duckdb-engine ships none. Imported by env.py."""

from alembic.ddl.impl import DefaultImpl


class DuckDBImpl(DefaultImpl):
    __dialect__ = "duckdb"
    transactional_ddl = True
