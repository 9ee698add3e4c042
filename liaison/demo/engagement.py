"""What SendGrid's Event Webhook would have reported on the demo's sent email: most
delivered, a few bounced, about a third opened by people, some opens only Apple Mail's
privacy prefetch, a few clicks.

Only the provider's part is made up: the events are handed to the real webhook code
(`apply_events`), which stores them, keeps each message's first outcomes, opens the
review requests and suppresses the bounced addresses, in bulk. Each email's outcome is
drawn from its own seeded generator, so the same demo gets the same engagement and a
second run finds nothing new to report."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from campaigns.mail.webhook.events import apply_events
from crm.db import session_scope
from crm.models import EmailEvent, Message

DEMO_PROVIDER = "demo"
BOUNCED = 0.02
DELIVERED = 0.97
PERSON_OPENS = 0.35  # of delivered
MACHINE_ONLY_OPENS = 0.0875  # of delivered: a fifth of all opens
APPLE_PERSON_OPENS = 0.2  # of people's opens, Apple Mail fetched the images first
CLICKS = 0.08  # of delivered, all among people's opens
BOUNCE_REASON = "550 5.1.1 The email account that you tried to reach does not exist"
_BATCH = 1000


def seed_engagement(engine: Engine, *, now: datetime, seed: int = 1) -> int:
    """Report events for the demo's sent email that has none yet; returns how many
    events were stored."""
    with session_scope(engine) as session:
        emails = session.execute(
            select(Message.id, Message.to_email, Message.kind, Message.sent_at)
            .outerjoin(EmailEvent, EmailEvent.message_id == Message.id)
            .where(
                Message.provider == DEMO_PROVIDER,
                Message.sent_at.is_not(None),
                EmailEvent.id.is_(None),
            )
            .order_by(Message.id)
        ).all()
        events = [event for row in emails for event in _events(*row, seed=seed, now=now)]
        stored = 0
        for start in range(0, len(events), _BATCH):
            stored += apply_events(session, events[start : start + _BATCH], now).stored
    return stored


def _events(
    message_id: int, email: str, kind: str, sent_at: datetime, *, seed: int, now: datetime
) -> list[dict[str, Any]]:
    """SendGrid-shaped events for one email, none later than now."""
    draw = random.Random(f"{seed}:{message_id}")
    fate = draw.random()
    if fate < BOUNCED:
        happened = [
            (
                "bounce",
                sent_at + timedelta(seconds=draw.uniform(5, 120)),
                {"type": "bounce", "reason": BOUNCE_REASON},
            )
        ]
    elif fate < BOUNCED + DELIVERED:
        happened = _delivered(draw, kind, sent_at + timedelta(seconds=draw.uniform(2, 90)))
    else:
        happened = []  # deferred, or still in flight: nothing reported
    return [
        {
            "sg_event_id": f"demo-{message_id}-{name}",
            "event": name.split("-")[0],
            "email": email,
            "timestamp": int(at.timestamp()),
            "message_id": message_id,
            **extra,
        }
        for name, at, extra in happened
        if at <= now
    ]


def _delivered(
    draw: random.Random, kind: str, delivered: datetime
) -> list[tuple[str, datetime, dict[str, Any]]]:
    happened: list[tuple[str, datetime, dict[str, Any]]] = [("delivered", delivered, {})]
    machine = (
        "open-machine",
        delivered + timedelta(minutes=draw.uniform(1, 20)),
        {"sg_machine_open": True},
    )
    opens = draw.random()
    if opens < PERSON_OPENS:
        if draw.random() < APPLE_PERSON_OPENS:
            happened.append(machine)
        opened = delivered + timedelta(minutes=min(draw.expovariate(1 / 360), 3 * 24 * 60))
        happened.append(("open", opened, {"sg_machine_open": False}))
        if draw.random() < CLICKS / PERSON_OPENS:
            happened.append(
                (
                    "click",
                    opened + timedelta(seconds=draw.uniform(10, 300)),
                    {"url": f"https://www.example.com/{kind}"},
                )
            )
    elif opens < PERSON_OPENS + MACHINE_ONLY_OPENS:
        happened.append(machine)
    return happened
