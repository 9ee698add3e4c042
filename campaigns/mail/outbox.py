"""The outbox: the one way any program part asks for an email to be sent.

Callers (cadences, events, reviews, seasonal programs, the app's test send) enqueue;
only the dispatcher sends. The idempotency key makes enqueueing idempotent, so a
planner that runs twice asks for the same email twice and gets one message."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from campaigns.post import Attachment, Draft
from crm import audit
from crm.access import Actor, require_editor
from crm.db import insert_for
from crm.errors import Conflict
from crm.models import Message, MessageAttempt
from crm.vocab import MessageStatus

KINDS = (
    "cadence",
    "event",
    "review",
    "seasonal",
    "acknowledgment",
    "survey",
    "test",
    "report",
    "alert",
)
FINAL = frozenset(
    {
        MessageStatus.SENT.value,
        MessageStatus.FAILED.value,
        MessageStatus.SUPPRESSED.value,
        MessageStatus.CANCELLED.value,
    }
)


class OutboxError(Conflict):
    pass


def enqueue(session: Session, draft: Draft, now: datetime) -> Message:
    """Insert the message unless its key exists; either way return the one message.
    A draft that could not be rendered (`failure`) is kept as a failed row with its
    reason, so nothing is lost silently."""
    if draft.kind not in KINDS:
        raise ValueError(f"unknown message kind {draft.kind!r}")
    session.execute(_insert_ignoring_duplicates(session), [_row(draft, now)])
    message = session.execute(
        select(Message).where(Message.idempotency_key == draft.idempotency_key)
    ).scalar_one()
    if draft.failure and message.attempts == 0 and message.status == MessageStatus.FAILED.value:
        _log(session, [message.id], "failed", None, draft.failure, now)
    return message


def enqueue_many(session: Session, drafts: list[Draft], now: datetime) -> int:
    """Set-based enqueue for planners: returns how many were new."""
    if not drafts:
        return 0
    for draft in drafts:
        if draft.kind not in KINDS:
            raise ValueError(f"unknown message kind {draft.kind!r}")
    keys = [d.idempotency_key for d in drafts]
    before = _count_keys(session, keys)
    session.execute(_insert_ignoring_duplicates(session), [_row(d, now) for d in drafts])
    return _count_keys(session, keys) - before


def _count_keys(session: Session, keys: list[str]) -> int:
    total = 0
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        total += session.execute(
            select(func.count()).select_from(Message).where(Message.idempotency_key.in_(chunk))
        ).scalar_one()
    return total


def _insert_ignoring_duplicates(session: Session) -> Any:
    return insert_for(session, Message).on_conflict_do_nothing(index_elements=["idempotency_key"])


def _row(draft: Draft, now: datetime) -> dict[str, Any]:
    return {
        "idempotency_key": draft.idempotency_key,
        "kind": draft.kind,
        "transactional": draft.transactional,
        "to_email": draft.to_email.strip().lower(),
        "to_name": draft.to_name,
        "contact_id": draft.contact_id,
        "patient_id": draft.patient_id,
        "partner_id": draft.partner_id,
        "source": draft.source,
        "template": draft.template,
        "subject": draft.subject,
        "html": draft.html,
        "text": draft.text,
        "attachments": encode_attachments(draft.attachments),
        "timezone": draft.timezone,
        "status": MessageStatus.FAILED.value if draft.failure else MessageStatus.QUEUED.value,
        "attempts": 0,
        "next_attempt_at": draft.not_before or now,
        "last_error": draft.failure,
        "created_at": now,
        "updated_at": now,
    }


def encode_attachments(attachments: tuple[Attachment, ...]) -> str:
    if not attachments:
        return ""
    return json.dumps(
        [
            {
                "filename": a.filename,
                "mime_type": a.mime_type,
                "content": base64.b64encode(a.content).decode(),
            }
            for a in attachments
        ]
    )


def decode_attachments(text: str) -> tuple[Attachment, ...]:
    if not text:
        return ()
    return tuple(
        Attachment(
            filename=a["filename"], mime_type=a["mime_type"], content=base64.b64decode(a["content"])
        )
        for a in json.loads(text)
    )


def _log(
    session: Session,
    ids: list[int],
    outcome: str,
    status_code: int | None,
    detail: str,
    now: datetime,
) -> None:
    if ids:
        session.execute(
            insert(MessageAttempt),
            [
                {
                    "message_id": i,
                    "at": now,
                    "outcome": outcome,
                    "status_code": status_code,
                    "detail": detail[:2000],
                }
                for i in ids
            ],
        )


@dataclass
class OutboxFilter:
    statuses: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    text: str = ""
    limit: int = 200
    offset: int = 0


def list_messages(session: Session, query: OutboxFilter) -> tuple[list[Message], int]:
    conditions = []
    if query.statuses:
        conditions.append(Message.status.in_(query.statuses))
    if query.kinds:
        conditions.append(Message.kind.in_(query.kinds))
    if query.text.strip():
        pattern = f"%{query.text.strip().lower()}%"
        conditions.append(
            func.lower(Message.to_email).like(pattern) | func.lower(Message.subject).like(pattern)
        )
    total = session.execute(
        select(func.count()).select_from(Message).where(*conditions)
    ).scalar_one()
    rows = (
        session.execute(
            select(Message)
            .where(*conditions)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        .scalars()
        .all()
    )
    return list(rows), total


def status_counts(session: Session) -> dict[tuple[str, str], int]:
    """(status, kind) -> count, for `crm outbox status` and the Outbox page."""
    rows = session.execute(
        select(Message.status, Message.kind, func.count()).group_by(Message.status, Message.kind)
    )
    return {(status, kind): count for status, kind, count in rows}


def attempts_of(session: Session, message_id: int) -> list[MessageAttempt]:
    return list(
        session.execute(
            select(MessageAttempt)
            .where(MessageAttempt.message_id == message_id)
            .order_by(MessageAttempt.at, MessageAttempt.id)
        ).scalars()
    )


def retry_message(session: Session, actor: Actor, message_id: int, now: datetime) -> Message:
    """A person decided that a failed or unknown message should go (again). For an
    `unknown` one this is their call: the provider may already have delivered it."""
    require_editor(actor)
    message = _get(session, message_id)
    if message.status not in (MessageStatus.FAILED.value, MessageStatus.UNKNOWN.value):
        raise OutboxError(
            f"only failed or unknown messages can be retried (this one is {message.status})"
        )
    previous = message.status
    _transition(session, message, MessageStatus.QUEUED.value, now, next_attempt_at=now)
    _log(session, [message.id], "requeued", None, f"requeued by {actor.name} (was {previous})", now)
    audit.record(
        session,
        actor,
        "retry",
        "message",
        message.id,
        {"status": [previous, MessageStatus.QUEUED.value]},
        now,
    )
    return message


def cancel_message(session: Session, actor: Actor, message_id: int, now: datetime) -> Message:
    require_editor(actor)
    message = _get(session, message_id)
    if message.status not in (
        MessageStatus.QUEUED.value,
        MessageStatus.FAILED.value,
        MessageStatus.UNKNOWN.value,
    ):
        raise OutboxError(f"a {message.status} message cannot be cancelled")
    previous = message.status
    _transition(session, message, MessageStatus.CANCELLED.value, now)
    _log(
        session, [message.id], "cancelled", None, f"cancelled by {actor.name} (was {previous})", now
    )
    audit.record(
        session,
        actor,
        "cancel",
        "message",
        message.id,
        {"status": [previous, MessageStatus.CANCELLED.value]},
        now,
    )
    return message


def _get(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id, populate_existing=True)
    if message is None:
        raise OutboxError(f"no message with id {message_id}")
    return message


def _transition(
    session: Session, message: Message, status: str, now: datetime, **values: Any
) -> None:
    """Change status only if nobody else changed it meanwhile (a dispatcher may be at work)."""
    result = session.execute(
        update(Message)
        .where(Message.id == message.id, Message.status == message.status)
        .values(status=status, updated_at=now, **values)
    )
    if result.rowcount != 1:
        raise OutboxError("the message changed meanwhile; reload and try again")
    session.refresh(message)
