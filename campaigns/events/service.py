"""Events and their invitees: create, change, cancel, invite an audience, and record
RSVPs with a wait list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.sql import Select
from sqlmodel import Session

from crm import audit, validation
from crm.access import Actor, require_editor
from crm.errors import Conflict, NotFound
from crm.fields import text, vocab
from crm.models import Contact, Event, EventInvitee, Partner
from crm.opt_outs import address_opted_out
from crm.segments.service import member_ids_select
from crm.vocab import EventKind, PartnerStatus

SCHEDULED, CANCELLED = "scheduled", "cancelled"


class EventNotFound(NotFound):
    pass


class EventInput(BaseModel):
    title: text(200, required=True)
    kind: vocab(EventKind)
    topic: text(200) = ""
    speaker: text(120) = ""
    description: text(10_000) = ""
    starts_at: datetime
    ends_at: datetime
    timezone: text(64) = "America/New_York"
    location_id: int | None = None
    venue_partner_id: int | None = None
    venue_note: text(300) = ""
    capacity: int | None = Field(default=None, ge=1)
    cost_per_attendee_cents: int = Field(default=0, ge=0)
    audience_segment_id: int | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        validation.time_zone(value)
        return value

    @model_validator(mode="after")
    def _times_and_venue(self) -> EventInput:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("event times need a time zone")
        if self.ends_at <= self.starts_at:
            raise ValueError("an event must end after it starts")
        if (self.location_id is None) == (self.venue_partner_id is None):
            raise ValueError("the venue is one of the practice's locations or a partner's office")
        return self


def get_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise EventNotFound(f"no event {event_id}")
    return event


def list_events(session: Session) -> list[Event]:
    return list(session.execute(select(Event).order_by(Event.starts_at.desc())).scalars())


def create_event(session: Session, actor: Actor, data: EventInput, now: datetime) -> Event:
    require_editor(actor)
    event = Event(
        **data.model_dump(),
        status=SCHEDULED,
        sequence=0,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    session.flush()
    audit.record(
        session, actor, "create", "event", event.id, {"title": event.title, "kind": event.kind}, now
    )
    return event


def update_event(
    session: Session, actor: Actor, event_id: int, data: EventInput, now: datetime
) -> Event:
    """Raises SEQUENCE so calendars replace the entry they hold; the caller sends the update."""
    require_editor(actor)
    event = _open(session, event_id)
    changes = audit.diff(event, data.model_dump())
    if not changes:
        return event
    for name, value in data.model_dump().items():
        setattr(event, name, value)
    event.sequence += 1
    event.updated_at = now
    session.flush()
    audit.record(session, actor, "update", "event", event.id, changes, now)
    return event


def cancel_event(session: Session, actor: Actor, event_id: int, now: datetime) -> Event:
    require_editor(actor)
    event = _open(session, event_id)
    event.status = CANCELLED
    event.sequence += 1
    event.updated_at = now
    session.flush()
    audit.record(
        session, actor, "cancel", "event", event.id, {"status": [SCHEDULED, CANCELLED]}, now
    )
    return event


def _open(session: Session, event_id: int) -> Event:
    event = get_event(session, event_id)
    if event.status == CANCELLED:
        raise Conflict("this event is cancelled")
    return event


def audience_select(
    session: Session,
    segment_id: int | None,
    partner_ids: Iterable[int],
    contact_ids: Iterable[int],
    now: datetime,
) -> Select:
    """(contact id, partner id) of everyone the audience reaches: the contacts of the
    segment's partners and of the picked partners, and the picked contacts; only those
    who can be emailed."""
    reach = [Contact.partner_id.in_(list(partner_ids)), Contact.id.in_(list(contact_ids))]
    if segment_id is not None:
        reach.append(Contact.partner_id.in_(member_ids_select(session, segment_id, now)))
    return (
        select(Contact.id.label("contact_id"), Contact.partner_id.label("partner_id"))
        .join(Partner, Partner.id == Contact.partner_id)
        .where(
            or_(*reach),
            Contact.archived_at.is_(None),
            Contact.email.is_not(None),
            Contact.email != "",
            ~address_opted_out(Contact.email),
            Partner.archived_at.is_(None),
            Partner.status != PartnerStatus.DO_NOT_CONTACT.value,
        )
    )


def invite(
    session: Session,
    actor: Actor,
    event_id: int,
    now: datetime,
    partner_ids: Iterable[int] = (),
    contact_ids: Iterable[int] = (),
) -> int:
    """Adds the event's segment and the picked partners and contacts as invitees, in one
    statement; someone already invited is left as they are. Returns how many are new."""
    require_editor(actor)
    event = _open(session, event_id)
    audience = audience_select(
        session, event.audience_segment_id, partner_ids, contact_ids, now
    ).subquery()
    already = exists().where(
        EventInvitee.event_id == event.id, EventInvitee.contact_id == audience.c.contact_id
    )
    rows = select(
        literal(event.id),
        audience.c.contact_id,
        audience.c.partner_id,
        literal("none"),
        literal(False),
        literal(now, type_=EventInvitee.__table__.c.invited_at.type),
    ).where(~already)
    before = _invitee_count(session, event.id)
    session.execute(
        insert(EventInvitee).from_select(
            ["event_id", "contact_id", "partner_id", "rsvp", "attended", "invited_at"], rows
        )
    )
    added = (
        _invitee_count(session, event.id) - before
    )  # rowcount is not reliable for INSERT ... SELECT
    audit.record(session, actor, "invite", "event", event.id, {"invited": added}, now)
    return added


def _invitee_count(session: Session, event_id: int) -> int:
    return session.execute(
        select(func.count()).select_from(EventInvitee).where(EventInvitee.event_id == event_id)
    ).scalar_one()


@dataclass(frozen=True)
class RsvpOutcome:
    invitee_id: int
    rsvp: str
    promoted_id: int | None = None


def record_rsvp(session: Session, invitee_id: int, answer: str, now: datetime) -> RsvpOutcome:
    """A Yes past capacity goes to the wait list; a Yes that turns into a No frees its
    seat for the longest-waiting person. The event row is locked before anything is
    read, so two answers arriving together cannot both take the last seat."""
    if answer not in ("yes", "no"):
        raise ValueError(f"an RSVP answer is yes or no, not {answer!r}")
    event = _lock_event_of(session, invitee_id)
    invitee = session.get(EventInvitee, invitee_id)
    session.refresh(invitee)
    if event.status == CANCELLED:
        raise Conflict("this event is cancelled")
    if answer == "yes":
        return _yes(session, event, invitee, now)
    return _no(session, event, invitee, now)


def _lock_event_of(session: Session, invitee_id: int) -> Event:
    """A no-op UPDATE as the transaction's first statement: PostgreSQL locks the row,
    SQLite takes its write lock, before the seats are counted (a SELECT ... FOR UPDATE
    would leave SQLite's readers free to count the same empty seat)."""
    event_id = select(EventInvitee.event_id).where(EventInvitee.id == invitee_id).scalar_subquery()
    locked = session.execute(
        update(Event).where(Event.id == event_id).values(sequence=Event.sequence)
    )
    if locked.rowcount != 1:
        raise EventNotFound(f"no invitee {invitee_id}")
    event = session.execute(select(Event).where(Event.id == event_id)).scalar_one()
    session.refresh(event)
    return event


def _yes(session: Session, event: Event, invitee: EventInvitee, now: datetime) -> RsvpOutcome:
    if invitee.rsvp in ("yes", "waitlist"):
        return RsvpOutcome(invitee.id, invitee.rsvp)
    full = event.capacity is not None and _yes_count(session, event.id) >= event.capacity
    invitee.rsvp = "waitlist" if full else "yes"
    invitee.waitlisted_at = now if full else None
    invitee.rsvp_at = now
    session.flush()
    return RsvpOutcome(invitee.id, invitee.rsvp)


def _no(session: Session, event: Event, invitee: EventInvitee, now: datetime) -> RsvpOutcome:
    freed = invitee.rsvp == "yes"
    invitee.rsvp, invitee.waitlisted_at, invitee.rsvp_at = "no", None, now
    session.flush()
    promoted = _promote_next(session, event, now) if freed else None
    return RsvpOutcome(invitee.id, "no", promoted)


def _promote_next(session: Session, event: Event, now: datetime) -> int | None:
    if event.capacity is not None and _yes_count(session, event.id) >= event.capacity:
        return None
    next_id = session.execute(
        select(EventInvitee.id)
        .where(EventInvitee.event_id == event.id, EventInvitee.rsvp == "waitlist")
        .order_by(EventInvitee.waitlisted_at, EventInvitee.id)
        .limit(1)
    ).scalar_one_or_none()
    if next_id is None:
        return None
    session.execute(
        update(EventInvitee)
        .where(and_(EventInvitee.id == next_id, EventInvitee.rsvp == "waitlist"))
        .values(rsvp="yes", waitlisted_at=None, rsvp_at=now)
    )
    return next_id


def _yes_count(session: Session, event_id: int) -> int:
    return session.execute(
        select(func.count())
        .select_from(EventInvitee)
        .where(EventInvitee.event_id == event_id, EventInvitee.rsvp == "yes")
    ).scalar_one()
