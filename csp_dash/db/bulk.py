"""Fast bulk loading of an Arrow table into a schema table, inside the caller's transaction.

SQLAlchemy's executemany is far too slow for millions of rows, so each engine gets its native
path: DuckDB scans a registered Arrow table, PostgreSQL takes COPY. Anything else falls back to
plain Core inserts.
"""

from __future__ import annotations

import io
import itertools

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Table, insert

_counter = itertools.count()


def bulk_insert(conn: Connection, table: Table, data: pa.Table) -> int:
    """Insert every row of `data` (columns named as in `table`) and return the row count."""
    if data.num_rows == 0:
        return 0
    cols = [c for c in data.column_names if c in table.c]
    data = data.select(cols)
    dialect = conn.dialect.name
    if dialect == "duckdb":
        _duckdb_insert(conn, table, data)
    elif dialect == "postgresql":
        _postgres_copy(conn, table, data)
    else:
        conn.execute(insert(table), data.to_pylist())
    return data.num_rows


def _quoted_columns(conn: Connection, cols: list[str]) -> str:
    prep = conn.dialect.identifier_preparer
    return ", ".join(prep.quote(c) for c in cols)


def _duckdb_insert(conn: Connection, table: Table, data: pa.Table) -> None:
    name = f"_incoming_{next(_counter)}"
    raw = conn.connection.driver_connection
    # Row order in a table means nothing here; letting DuckDB drop it speeds bulk loads.
    conn.exec_driver_sql("SET preserve_insertion_order = false")
    raw.register(name, data)
    try:
        cols = _quoted_columns(conn, data.column_names)
        # Identifiers come from the schema and a counter, never from user input.
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {name}")  # noqa: S608
    finally:
        raw.unregister(name)


def _postgres_copy(conn: Connection, table: Table, data: pa.Table) -> None:
    buf = io.BytesIO()
    # NULL is an unquoted empty field; empty strings are quoted, so COPY tells them apart.
    pacsv.write_csv(data, buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    cols = _quoted_columns(conn, data.column_names)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(
        f"COPY {table.name} ({cols}) FROM STDIN WITH (FORMAT csv)"
    ) as copy:
        copy.write(buf.getvalue())
