"""Events for tests: one at a clinic a week and a day ahead of the test clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from campaigns.events.service import EventInput, create_event
from crm.access import Actor
from crm.models import Event, EventInvitee
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_location

SETTINGS = Settings(
    _env_file=None,
    secret_key="test-secret-key",
    practice_name="Summit Sports Medicine",
    public_url="https://liaison.example.org",
    sender_email="outreach@practice.example.org",
)
STARTS = NOW + timedelta(days=8)


def make_event(
    session: Session, actor: Actor, starts_at: datetime = STARTS, **fields: Any
) -> Event:
    if "location_id" not in fields and "venue_partner_id" not in fields:
        fields["location_id"] = make_location(
            session, name=f"Clinic at {starts_at.isoformat()}-{len(fields)}"
        ).id
    data = EventInput(
        **{
            "title": "Return-to-Play After Ankle Sprains",
            "kind": "lunch_and_learn",
            "topic": "Ankle sprains",
            "speaker": "Dr. Ames",
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=1),
            **fields,
        }
    )
    event = create_event(session, actor, data, NOW)
    session.commit()
    return event


def invitees(session: Session, event_id: int) -> dict[int, EventInvitee]:
    """contact id -> invitee, fresh from the database."""
    session.expire_all()
    rows = session.exec(select(EventInvitee).where(EventInvitee.event_id == event_id)).all()
    return {row.contact_id: row for row in rows}
