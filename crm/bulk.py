"""Many rows into one table in one executemany, at the driver's speed.

`session.execute(insert(table), rows)` processes each row's parameters in SQLAlchemy's
general machinery (key lookups, defaults, type processing per value), which for a
large import costs more than the database's own work. `insert_rows` compiles the
INSERT once, takes each column's bind processor once (the one SQLAlchemy itself would
apply, so values are stored exactly as before), and hands the driver plain tuples or
dicts. A statement that needs more than the given values (a Python-side default of a
column the rows leave out, other than a plain value) goes the general way, so nothing changes for it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows`, which all carry the same keys (as an executemany requires)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.binds)
    order = [compiled.binds[name].key for name in names]
    constants = {key: _constant_default(table, key) for key in order if key not in keys}
    if set(keys) - set(order) or None in constants.values():
        session.execute(insert(table), list(rows))
        return
    processors = [table.c[key].type._cached_bind_processor(dialect) for key in order]
    columns = [
        [constants[key][0]] * len(rows) if key in constants else [row[key] for row in rows]
        for key in order
    ]
    for index, process in enumerate(processors):
        if process is not None:
            columns[index] = _processed(process, columns[index])
    if compiled.positional:
        params: list[Any] = list(zip(*columns, strict=True))
    else:
        params = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    connection.exec_driver_sql(compiled.string, params)


def _processed(process: Any, values: list[Any]) -> list[Any]:
    """A column of one shared value (the import's time stamp) is converted once."""
    first = values[0]
    if all(value is first for value in values):
        return [process(first)] * len(values)
    return [process(value) for value in values]


def _constant_default(table: Table, key: str) -> tuple[Any] | None:
    """A left-out column's default when it is a plain value (as a 1-tuple, since the
    value may itself be None); None when it must be computed per row."""
    default = table.c[key].default
    if default is None or not default.is_scalar:
        return None
    return (default.arg,)
