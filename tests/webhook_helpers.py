"""Sent messages and SendGrid events, as the Event Webhook posts them, for webhook tests."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlmodel import Session

from crm.models import Message

_seq = itertools.count(1)


def sent_message(session: Session, now: datetime, **fields: Any) -> Message:
    n = next(_seq)
    values = {
        "idempotency_key": f"hook:{n}",
        "kind": "cadence",
        "to_email": f"dr{n}@clinic.example.org",
        "template": "partner_check_in",
        "subject": "Checking in",
        "html": "<p>Hi</p>",
        "text": "Hi",
        "status": "sent",
        "provider": "sendgrid",
        "provider_message_id": f"sgmsg{n}",
        "sent_at": now,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    message = Message(**values)
    session.add(message)
    session.commit()
    return message


def event(message: Message | None, kind: str, at: datetime, **fields: Any) -> dict[str, Any]:
    """One event with the custom args our transport sets copied to the top level, as
    SendGrid does; `message=None` is a message that is not ours."""
    n = next(_seq)
    body: dict[str, Any] = {
        "event": kind,
        "timestamp": int(at.timestamp()),
        "sg_event_id": f"evt-{n}",
        "email": message.to_email if message else f"stranger{n}@elsewhere.example.org",
        "sg_message_id": f"{message.provider_message_id if message else 'other' + str(n)}"
        f".filterdrecv-5645d9c87f-abcde-1-5F5FC76C-9.0",
    }
    if message is not None:
        body |= {"message_id": str(message.id), "message_key": message.idempotency_key}
    return body | fields
