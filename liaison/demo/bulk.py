"""Bulk loading of generated tables: one executemany per table on SQLite, one COPY per
table on PostgreSQL, both inside the caller's transaction.

A large load into an empty table drops the table's indexes first and builds them after
the rows are in: one sort per index instead of millions of scattered b-tree inserts,
which is most of the time a health system's history takes to load.

Values are formatted here, once per column, instead of row by row through the ORM's
type decorators: that is what makes half a million referrals load in seconds. Times
are written as UTC in the text form SQLAlchemy itself stores on SQLite
("2026-11-25 15:00:00.000000"); PostgreSQL reads the same text with the session's time
zone set to UTC."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from crm.referral_counts import counted_after_load
from liaison.demo.generate import Table

COPY_BATCH = 50_000
# Below this many rows, keeping the indexes while loading costs less than rebuilding them.
DEFER_INDEXES_FROM = 20_000
# SQLite's page cache during a load, in KiB: the unique indexes kept during a load take
# their rows in no useful order, and SQLite's default 2 MB cache makes each one a read.
SQLITE_CACHE_KIB = 1_000_000
_COPY_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def insert_tables(
    connection: Connection, tables: list[Table], progress: Callable[[str], None]
) -> None:
    loaded = [table for table in tables if len(table)]
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
    with counted_after_load(connection):
        for table in loaded:
            with _indexes_built_after(connection, table):
                (_copy if postgres else _executemany)(connection, table)
            progress(f"{table.name}: {len(table):,} rows")
    if postgres:
        for table in loaded:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"
                )
            )
            connection.exec_driver_sql(f"ANALYZE {table.name}")


@contextmanager
def _indexes_built_after(connection: Connection, table: Table) -> Iterator[None]:
    """For a large load into an empty table: its indexes (and on PostgreSQL its foreign
    keys, checked row by row by triggers otherwise) dropped first and created again
    after, exactly as the database had them. The primary key and unique constraints
    stay."""
    empty = connection.exec_driver_sql(f"SELECT 1 FROM {table.name} LIMIT 1").first() is None
    if not empty or len(table) < DEFER_INDEXES_FROM:
        yield
        return
    postgres = connection.dialect.name == "postgresql"
    rebuilt = (
        _postgres_rebuilt(connection, table.name)
        if postgres
        else _sqlite_rebuilt(connection, table.name)
    )
    for drop, _create in rebuilt:
        connection.exec_driver_sql(drop)
    yield
    for _drop, create in rebuilt:
        connection.exec_driver_sql(create)


def _sqlite_rebuilt(connection: Connection, name: str) -> list[tuple[str, str]]:
    rows = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL ORDER BY name",
        (name,),
    )
    return [(f'DROP INDEX "{index}"', sql) for index, sql in rows]


def _postgres_rebuilt(connection: Connection, name: str) -> list[tuple[str, str]]:
    indexes = connection.execute(
        text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i"
            " WHERE i.schemaname = current_schema() AND i.tablename = :name"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
            "  WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))"
            "::regclass)"
            " ORDER BY i.indexname"
        ),
        {"name": name},
    )
    keys = connection.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = CAST(:name AS regclass) AND contype = 'f' ORDER BY conname"
        ),
        {"name": name},
    )
    return [(f'DROP INDEX "{index}"', sql) for index, sql in indexes] + [
        (
            f'ALTER TABLE {name} DROP CONSTRAINT "{key}"',
            f'ALTER TABLE {name} ADD CONSTRAINT "{key}" {definition}',
        )
        for key, definition in keys
    ]


@contextmanager
def loading(engine: Engine) -> Iterator[Connection]:
    """A connection for a bulk load, committed at the end: on SQLite with foreign keys
    off (the generated rows point only at rows that exist; each insert would otherwise
    look up four parents) and a large page cache, both put back before the connection
    returns to the pool."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            connection.commit()
        try:
            yield connection
            connection.commit()
        finally:
            connection.rollback()
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.exec_driver_sql("PRAGMA cache_size=-2000")
                connection.commit()


def _executemany(connection: Connection, table: Table) -> None:
    names = list(table.columns)
    columns = [_sqlite_values(values) for values in table.columns.values()]
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, zip(*columns))
    finally:
        cursor.close()


def _copy(connection: Connection, table: Table) -> None:
    names = list(table.columns)
    columns = [_copy_values(values) for values in table.columns.values()]
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for start in range(0, len(table), COPY_BATCH):
                rows = zip(*(column[start : start + COPY_BATCH] for column in columns))
                copy.write("\n".join(map("\t".join, rows)) + "\n")
    finally:
        cursor.close()


def _timestamps(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Text like '2026-11-25 15:00:00.000000' and where the value is missing."""
    texts = np.datetime_as_string(values, unit="us")
    codes = texts.view(np.uint32).reshape(len(texts), -1)
    codes[:, 10] = ord(" ")
    return texts.astype(object), np.isnat(values)


def _sqlite_values(values: np.ndarray) -> list[object]:
    if values.dtype.kind == "M":
        texts, missing = _timestamps(values)
        texts[missing] = None
        return texts.tolist()
    return values.tolist()


def _copy_values(values: np.ndarray) -> list[str]:
    if values.dtype.kind == "M":
        texts, missing = _timestamps(values)
        texts[missing] = "\\N"
        return texts.tolist()
    if values.dtype.kind == "b":
        return np.where(values, "t", "f").tolist()
    if values.dtype.kind in "iu":
        return list(map(str, values.tolist()))
    raw = [None if value is None else str(value) for value in values.tolist()]
    joined = "".join(filter(None, raw))
    if any(ch in joined for ch in "\\\t\n\r"):
        raw = [None if value is None else value.translate(_COPY_SPECIAL) for value in raw]
    return ["\\N" if value is None else value for value in raw]
