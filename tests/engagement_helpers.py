"""Sent emails for the engagement tests, with the outcomes SendGrid's Event Webhook
would have recorded on them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from crm.models import Message

_seq = itertools.count(1)


def make_message(
    session: Session,
    kind: str,
    source: str,
    sent_at: datetime | None,
    partner_id: int | None = None,
    *,
    delivered: bool = False,
    opened: bool = False,
    machine: bool = False,
    clicked: bool = False,
    bounced: bool = False,
) -> Message:
    n = next(_seq)
    created = (sent_at or datetime(2026, 11, 1, tzinfo=UTC)) - timedelta(minutes=5)

    def after(flag: bool, minutes: int) -> datetime | None:
        return sent_at + timedelta(minutes=minutes) if flag and sent_at else None

    message = Message(
        idempotency_key=f"engagement-test:{n}",
        kind=kind,
        to_email=f"person{n}@example.org",
        partner_id=partner_id,
        source=source,
        template="partner_checkin",
        subject="Hello",
        html="<p>Hello</p>",
        text="Hello",
        status="sent" if sent_at else "queued",
        next_attempt_at=created,
        created_at=created,
        updated_at=created,
        sent_at=sent_at,
        provider="sendgrid" if sent_at else "",
        delivered_at=after(delivered, 1),
        opened_at=after(opened, 30),
        machine_opened_at=after(machine, 2),
        clicked_at=after(clicked, 31),
        bounced_at=after(bounced, 1),
    )
    session.add(message)
    session.commit()
    return message
