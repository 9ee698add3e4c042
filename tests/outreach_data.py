"""Programs and their reach for the outreach and partner-story tests, as plain rows:
a cadence enrolment, an event attendance, a seasonal email sent."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from crm.models import Cadence, Enrolment, Event, EventInvitee, Message, Partner
from tests.conftest import NOW
from tests.factories import make_contact, make_partner, make_referral

_seq = itertools.count(1)
SPRING = "seasonal 2026 spring pre-season"


def at(month: int, day: int, year: int = 2026) -> datetime:
    """Noon UTC (morning in Boston), well inside the day whatever the zone."""
    return datetime(year, month, day, 16, 0, tzinfo=UTC)


def partners(session: Session, count: int, **fields: Any) -> list[Partner]:
    return [make_partner(session, **fields) for _ in range(count)]


def referred(session: Session, partner: Partner, *days: datetime, **fields: Any) -> None:
    for day in days:
        make_referral(session, partner, day, **fields)


def cadence(session: Session, name: str = "New-partner introduction") -> Cadence:
    row = Cadence(name=name, purpose="prospecting", created_at=NOW, updated_at=NOW)
    session.add(row)
    session.commit()
    return row


def enrol(
    session: Session,
    program: Cadence,
    members: list[Partner],
    when: datetime,
    status: str = "completed",
) -> None:
    session.add_all(
        [
            Enrolment(
                cadence_id=program.id,
                partner_id=p.id,
                status=status,
                enrolled_at=when,
                anchor_at=when,
                created_at=when,
                updated_at=when,
            )
            for p in members
        ]
    )
    session.commit()


def event(
    session: Session, starts_at: datetime, title: str = "Return-to-Play After Ankle Sprains"
) -> Event:
    row = Event(
        title=title,
        kind="lunch_and_learn",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        status="scheduled",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)
    session.commit()
    return row


def invite(
    session: Session,
    program: Event,
    members: list[Partner],
    attended: bool = True,
    rsvp: str = "yes",
) -> None:
    for partner in members:
        contact = make_contact(session, partner)
        session.add(
            EventInvitee(
                event_id=program.id,
                contact_id=contact.id,
                partner_id=partner.id,
                rsvp=rsvp,
                attended=attended,
                invited_at=program.starts_at - timedelta(days=14),
            )
        )
    session.commit()


def email_sent(
    session: Session,
    partner: Partner,
    when: datetime | None,
    source: str = SPRING,
    kind: str = "seasonal",
    subject: str = "Getting your athletes ready for spring",
) -> Message:
    n = next(_seq)
    message = Message(
        idempotency_key=f"test:{n}",
        kind=kind,
        to_email=f"contact{n}@partner.example.org",
        to_name=f"Pat{n} Lee",
        partner_id=partner.id,
        source=source,
        template="seasonal_pre",
        subject=subject,
        html="<p>Hi</p>",
        text="Hi",
        status="sent" if when else "queued",
        next_attempt_at=when or NOW,
        created_at=when or NOW,
        updated_at=when or NOW,
        sent_at=when,
    )
    session.add(message)
    session.commit()
    return message


def seasonal_sent(
    session: Session, members: list[Partner], when: datetime, source: str = SPRING
) -> None:
    for partner in members:
        email_sent(session, partner, when, source)


def introduction_cadence(session: Session, enrolled_at: datetime = at(4, 10)) -> Cadence:
    """Enrolled (10 April by default): two primary-care tier B partners (one begins
    referring) and a physical therapist of tier A (who does). Not reached: four
    primary-care tier B (one begins referring), one already referring two months before,
    one physical therapist tier A (begins referring) and an orthopedist, whose kind of
    partner the cadence did not reach."""

    def days(n: int) -> datetime:
        return enrolled_at + timedelta(days=n)

    program = cadence(session)
    pc_reached = partners(session, 2, partner_type="primary_care", tier="B")
    pt_reached = partners(session, 1, partner_type="physical_therapy", tier="A")
    enrol(session, program, pc_reached + pt_reached, enrolled_at)
    referred(session, pc_reached[0], days(25), days(45))
    referred(session, pt_reached[0], days(40))
    pc_others = partners(session, 4, partner_type="primary_care", tier="B")
    referred(session, pc_others[0], days(35))
    referred(session, partners(session, 1, partner_type="primary_care", tier="B")[0], days(-59))
    referred(session, partners(session, 1, partner_type="physical_therapy", tier="A")[0], days(10))
    referred(session, partners(session, 1, partner_type="orthopedics", tier="C")[0], days(22))
    return program
