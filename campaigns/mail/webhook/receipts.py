"""Remembering the signed posts already accepted, so a replay is refused.

A captured post stays correctly signed forever; the freshness check bounds how long it
could be replayed, and a receipt of every accepted post refuses it within that time.
Receipts older than the longest tolerance the settings allow (a day) are of no use and
are pruned as new ones arrive."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from campaigns.mail.webhook.events import ApplyReport, apply_events
from campaigns.mail.webhook.signature import digest, signed_at
from crm.models import WebhookReceipt

KEEP = timedelta(days=2)


def first_receipt(
    session: Session, body: str, timestamp: str, now: datetime, events: int = 0
) -> bool:
    """Records the post; False when it was recorded before (a replay). Two copies posted
    at once cannot both pass: the digest is unique, and the second insert waits for the
    first transaction."""
    session.execute(delete(WebhookReceipt).where(WebhookReceipt.received_at < now - KEEP))
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        module.insert(WebhookReceipt)
        .values(
            signature_digest=digest(body, timestamp),
            signed_at=signed_at(timestamp) or now,
            received_at=now,
            events=events,
        )
        .on_conflict_do_nothing(index_elements=["signature_digest"])
        .returning(WebhookReceipt.id)
    )
    return session.execute(statement).first() is not None


def receive(
    session: Session, body: str, timestamp: str, events: list[dict], now: datetime
) -> ApplyReport | None:
    """A verified, fresh post: applied once, or None when it is a replay. The caller
    commits, so a post that fails half-way leaves no receipt and SendGrid's retry applies."""
    if not first_receipt(session, body, timestamp, now, len(events)):
        return None
    return apply_events(session, events, now)
