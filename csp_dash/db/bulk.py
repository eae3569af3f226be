"""Fast bulk loading of an Arrow table into a schema table, inside the caller's transaction.

SQLAlchemy's executemany is far too slow for millions of rows, so each engine gets its native
path: DuckDB scans a registered Arrow table, PostgreSQL takes COPY. Anything else falls back to
plain Core inserts.
"""

from __future__ import annotations

import io
import itertools

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Table, insert

from csp_dash.db.partitions import PARTITION_KEY, is_partitioned, partition_name

_counter = itertools.count()
ANALYZE_ROWS = 100_000
COPY_ROWS = 50_000


def bulk_insert(conn: Connection, table: Table, data: pa.Table, *, analyze: bool = True) -> int:
    """Insert every row of `data` (columns named as in `table`) and return the row count.

    `analyze=False` when the caller loads in several parts and calls `analyze_table` once after."""
    if data.num_rows == 0:
        return 0
    cols = [c for c in data.column_names if c in table.c]
    data = data.select(cols)
    dialect = conn.dialect.name
    if dialect == "duckdb":
        _duckdb_insert(conn, table, data)
    elif dialect == "postgresql":
        _postgres_copy(conn, table, data)
        if analyze and data.num_rows >= ANALYZE_ROWS:
            keys = data[PARTITION_KEY] if PARTITION_KEY in data.column_names else None
            analyze_table(conn, table, None if keys is None else pc.unique(keys).to_pylist())
    else:
        conn.execute(insert(table), data.to_pylist())
    return data.num_rows


def analyze_table(conn: Connection, table: Table, months: list | None = None) -> None:
    """Fresh statistics for the queries that follow in this transaction (the cube's group-bys
    and joins): without them the planner guesses a tiny table. On a partitioned table only the
    months' partitions: ANALYZE of the parent samples every partition, so each load would cost
    more than the one before (the planner reads the partitions' own statistics). PostgreSQL
    only: DuckDB keeps its statistics as it goes."""
    if conn.dialect.name != "postgresql":
        return
    names = [table.name]
    if months is not None and is_partitioned(conn, table.name):
        names = [partition_name(m) for m in sorted(set(months))]
    for name in names:  # from the schema and dates, never from user text
        conn.exec_driver_sql(f"ANALYZE {name}")


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
    cols = _quoted_columns(conn, data.column_names)
    raw = conn.connection.driver_connection
    # NULL is an unquoted empty field; empty strings are quoted, so COPY tells them apart.
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with raw.cursor() as cur, cur.copy(
        f"COPY {table.name} ({cols}) FROM STDIN WITH (FORMAT csv)"
    ) as copy:
        # In slices: the server parses one while the next is written, and memory stays small.
        for batch in data.to_batches(max_chunksize=COPY_ROWS):
            buf = io.BytesIO()
            pacsv.write_csv(batch, buf, options)
            copy.write(buf.getvalue())
