"""The audit trail: who created, changed, archived or imported what, and when."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel

from crm.access import Actor
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
        AuditLog(at=now, user_id=actor.id, action=action, entity=entity, entity_id=entity_id,
                 changes=_dump(changes))
    )


def record_many(session: Session, actor: Actor, entries: list[dict[str, Any]], now: datetime) -> None:
    """Entries carry action, entity, entity_id and changes; written in one statement."""
    if not entries:
        return
    rows = [
        {"at": now, "user_id": actor.id, "action": e["action"], "entity": e["entity"],
         "entity_id": e["entity_id"], "changes": _dump(e["changes"])}
        for e in entries
    ]
    session.execute(insert(AuditLog), rows)


def diff(row: SQLModel, values: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value would change, as {field: [old, new]}."""
    return {
        name: [getattr(row, name), value]
        for name, value in values.items()
        if getattr(row, name) != value
    }


def _dump(changes: dict[str, Any]) -> str:
    return json.dumps(changes, default=_plain, sort_keys=True)


def _plain(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)
