"""PostgreSQL keeps crimes in one partition per month; DuckDB keeps one table.

Replacing a force-month deletes with a month predicate, which PostgreSQL prunes to that
month's partition (docs/architecture.md, "Schema and migrations").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, Engine, Table, text
from sqlalchemy.schema import CreateTable

PARTITION_KEY = "month"
# Serialises partition creation between processes ingesting at once (any fixed number).
_LOCK_KEY = 7_316_204


def partition_name(month: date) -> str:
    return f"crimes_{month:%Y_%m}"


def create_partitioned(conn: Connection, table: Table, indexes: bool = True) -> None:
    """CREATE TABLE ... PARTITION BY RANGE (month) and its indexes, on PostgreSQL.

    Not a postgresql_partition_by table option: duckdb-engine compiles with PostgreSQL's
    DDL compiler and would emit the clause for DuckDB too."""
    ddl = str(CreateTable(table).compile(dialect=conn.dialect)).rstrip()
    conn.exec_driver_sql(f"{ddl} PARTITION BY RANGE ({PARTITION_KEY})")
    if indexes:
        create_indexes(conn, table)


def create_indexes(conn: Connection, table: Table) -> None:
    """The table's indexes; on a partitioned table each partition gets its own."""
    for index in table.indexes:
        index.create(conn)


def is_partitioned(conn: Connection, table: str = "crimes") -> bool:
    """True if the table (found on the search path) is a partitioned PostgreSQL table."""
    if conn.dialect.name != "postgresql":
        return False
    kind = conn.execute(text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"),
                        {"t": table}).scalar()
    return kind == "p"


def existing_partitions(conn: Connection) -> set[str]:
    return set(conn.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass('crimes')")).scalars())


def create_month_partitions(conn: Connection, months: Iterable[date]) -> list[str]:
    """Create the missing monthly partitions of crimes in the caller's transaction."""
    wanted = sorted({date(m.year, m.month, 1) for m in months})
    if not wanted:
        return []
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    have = existing_partitions(conn)
    made = []
    for m in wanted:
        name = partition_name(m)
        if name in have:
            continue
        nxt = date(m.year + m.month // 12, m.month % 12 + 1, 1)
        # The name and bounds are built from dates, never from user text.
        conn.exec_driver_sql(f"CREATE TABLE {name} PARTITION OF crimes "
                             f"FOR VALUES FROM ('{m:%Y-%m-%d}') TO ('{nxt:%Y-%m-%d}')")
        made.append(name)
    return made


def ensure_crime_partitions(engine: Engine, months: Iterable[date]) -> list[str]:
    """Before loading crimes: create the months' partitions on PostgreSQL (no-op on DuckDB).

    In its own short transaction, so the load's transaction holds no lock on the parent."""
    if engine.dialect.name != "postgresql":
        return []
    months = list(months)
    with engine.connect() as conn:
        have = existing_partitions(conn)
    if all(partition_name(date(m.year, m.month, 1)) in have for m in months):
        return []
    with engine.begin() as conn:
        return create_month_partitions(conn, months)
