"""The audit trail: who created, changed, archived or imported what, and when."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel

from crm.access import Actor
from crm.bulk import insert_rows
from crm.models import AuditLog


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    changes: dict[str, Any],
    now: datetime,
) -> None:
    session.add(
        AuditLog(
            at=now,
            user_id=actor.id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            changes=_dump(changes),
        )
    )


def record_many(
    session: Session, actor: Actor, entries: list[dict[str, Any]], now: datetime
) -> None:
    """Entries carry action, entity, entity_id and changes; written in one statement."""
    if not entries:
        return
    rows = [
        {
            "at": now,
            "user_id": actor.id,
            "action": e["action"],
            "entity": e["entity"],
            "entity_id": e["entity_id"],
            "changes": _dump(e["changes"]),
        }
        for e in entries
    ]
    insert_rows(session, AuditLog.__table__, rows)


def diff(row: SQLModel, values: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value would change, as {field: [old, new]}."""
    return {
        name: [getattr(row, name), value]
        for name, value in values.items()
        if getattr(row, name) != value
    }


def apply_changes(
    session: Session, actor: Actor, entity: str, row: Any, values: dict[str, Any], now: datetime
) -> dict[str, list[Any]]:
    """Set the values that differ, stamp `updated_at` and audit exactly those fields."""
    changes = diff(row, values)
    if changes:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
        record(session, actor, "update", entity, row.id, changes, now)
    return changes


def set_archived(
    session: Session, actor: Actor, entity: str, row: Any, archived: bool, now: datetime
) -> None:
    """Archive (or restore) instead of deleting, so nothing a user entered is lost."""
    if (row.archived_at is not None) == archived:
        return
    row.archived_at = now if archived else None
    row.updated_at = now
    record(session, actor, "archive" if archived else "restore", entity, row.id, {}, now)


def _plain(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


# One encoder for every entry: json.dumps with options builds a new one per call, a
# cost an import of 400,000 partners pays 400,000 times.
_dump = json.JSONEncoder(default=_plain, sort_keys=True).encode
