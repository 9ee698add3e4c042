"""Bulk loading of generated tables: one executemany per table on SQLite, one COPY per
table on PostgreSQL, both inside the caller's transaction.

Values are formatted here, once per column, instead of row by row through the ORM's
type decorators: that is what makes half a million referrals load in seconds. Times
are written as UTC in the text form SQLAlchemy itself stores on SQLite
("2026-11-25 15:00:00.000000"); PostgreSQL reads the same text with the session's time
zone set to UTC."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection

from crm.referral_counts import counted_after_load
from liaison.demo.generate import Table

COPY_BATCH = 50_000
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
