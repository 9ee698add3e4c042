"""The one place an import touches the database: new records in one multi-row INSERT
(ids returned in the order given), changed records in one executemany UPDATE, and an
audit entry for each record created or changed, in one more statement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session

from crm import audit
from crm.access import Actor
from crm.transfer.entity import Entity
from crm.transfer.planning import Change

_INTERNAL = {"match_key"}


def write(
    session: Session, actor: Actor, kind: Entity, changes: list[Change], now: datetime
) -> None:
    table = kind.table
    new = [c for c in changes if c.id is None]
    changed = [c for c in changes if c.is_update]
    if new:
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = session.execute(
            statement, [{**c.values, **_stamps(kind, now, created=True)} for c in new]
        )
        for change, id_ in zip(new, ids.scalars().all(), strict=True):
            change.id = id_
    if changed:
        statement = update(table).where(table.c.id == bindparam("_row_id"))
        session.execute(
            statement, [{**c.values, "_row_id": c.id, **_stamps(kind, now)} for c in changed]
        )
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
