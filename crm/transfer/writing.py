"""The one place an import touches the database: new records in one multi-row INSERT
(their ids known in the order given), changed records in one executemany UPDATE, and an
audit entry for each record created or changed, in one more statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlmodel import Session

from crm import audit
from crm.access import Actor
from crm.bulk import insert_rows
from crm.transfer.entity import Entity
from crm.transfer.planning import Change

# Kept by the import itself, not typed by anyone: left out of the audit entries.
_INTERNAL = {"match_key", "latitude", "longitude", "position_source", "position_address"}


def write(
    session: Session, actor: Actor, kind: Entity, changes: list[Change], now: datetime
) -> None:
    table = kind.table
    new = [c for c in changes if c.id is None]
    changed = [c for c in changes if c.is_update]
    if new:
        stamps = _stamps(kind, now, created=True)
        rows = [{**c.values, **stamps} for c in new]
        for change, id_ in zip(new, _insert(session, table, rows), strict=True):
            change.id = id_
    if changed:
        statement = update(table).where(table.c.id == bindparam("_row_id"))
        stamps = _stamps(kind, now)
        session.execute(statement, [{**c.values, "_row_id": c.id, **stamps} for c in changed])
    audit.record_many(
        session,
        actor,
        [
            {
                "action": "import",
                "entity": kind.audit_name,
                "entity_id": c.id,
                "changes": _changes(c),
            }
            for c in new + changed
        ],
        now,
    )


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> Sequence[int]:
    """The new records' ids, in the order of `rows`. SQLite cannot promise RETURNING's
    order, so SQLAlchemy would insert there one row per statement; instead the rows go
    in one executemany and their ids are read back: SQLite numbers an integer key one
    past the largest, and the write lock the insert took (held to the commit) keeps any
    other connection from inserting in between, so they are the last len(rows) ids."""
    if session.get_bind().dialect.name != "sqlite":
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return session.execute(statement, rows).scalars().all()
    insert_rows(session, table, rows)
    last = session.execute(select(func.max(table.c.id))).scalar_one()
    return range(last - len(rows) + 1, last + 1)


def _stamps(kind: Entity, now: datetime, created: bool = False) -> dict[str, datetime]:
    """The record's own time stamps (a visit has no updated_at)."""
    names = ("created_at", "updated_at") if created else ("updated_at",)
    return {name: now for name in names if name in kind.table.c}


_EMPTY = (None, "", False)


def _changes(change: Change) -> dict[str, list[Any]]:
    """What the audit entry shows: for a new record its non-empty values, for a changed
    one the values that differ from what was stored."""
    if change.original is None:
        return {
            name: [None, value]
            for name, value in change.values.items()
            if value not in _EMPTY and name not in _INTERNAL
        }
    before = change.original
    return {
        name: [before.get(name), value]
        for name, value in change.values.items()
        if before.get(name) != value and name not in _INTERNAL
    }
