"""The event's emails: invitations, updates and cancellations (each with a calendar
file), reminders to those who said Yes, and follow-ups after the event. Each is
rendered by `compose` and enqueued in one batch; the idempotency key names the event,
the kind, the event's SEQUENCE where a change means a new email, and the contact, so
running any of these twice sends nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns import post
from campaigns.events.ics import build_ics, ics_attachment
from campaigns.events.service import CANCELLED, SCHEDULED, get_event
from campaigns.events.tokens import rsvp_url
from campaigns.post import Draft
from crm import audit
from crm.access import Actor, require_editor
from crm.clock import Clock
from crm.db import session_scope
from crm.errors import Conflict
from crm.models import Contact, Event, EventInvitee, Location, Message, Partner
from crm.settings import Settings

# Reminder name -> how long before the start it is due; each is due until the next one is.
REMINDERS = (("reminder-7d", timedelta(days=7)), ("reminder-1d", timedelta(days=1)))


@dataclass(frozen=True)
class Recipient:
    invitee_id: int
    contact_id: int
    partner_id: int
    email: str
    first_name: str
    name: str


def send_invitations(
    session: Session, settings: Settings, actor: Actor, event_id: int, now: datetime
) -> int:
    """To every invitee who has not had an invitation yet (so inviting more people later
    reaches only the new ones). Returns how many were enqueued."""
    require_editor(actor)
    event = _scheduled(session, event_id)
    prefix = f"event:{event.id}:invitation:"
    sent_before = exists().where(
        Message.contact_id == Contact.id, Message.idempotency_key.startswith(prefix)
    )
    drafts = [
        _invitation(session, settings, event, r, now)
        for r in _recipients(session, event.id, ~sent_before)
    ]
    return _enqueue(session, actor, event, "invitation", drafts, now)


def send_update(
    session: Session, settings: Settings, actor: Actor, event_id: int, now: datetime
) -> int:
    """After `update_event`: everyone invited gets the changed details and a calendar
    entry with the new SEQUENCE."""
    require_editor(actor)
    event = _scheduled(session, event_id)
    drafts = [
        _change(session, settings, event, r, now, "update") for r in _recipients(session, event.id)
    ]
    return _enqueue(session, actor, event, "update", drafts, now)


def send_cancellation(
    session: Session, settings: Settings, actor: Actor, event_id: int, now: datetime
) -> int:
    require_editor(actor)
    event = get_event(session, event_id)
    if event.status != CANCELLED:
        raise Conflict("cancel the event before telling its invitees")
    drafts = [
        _change(session, settings, event, r, now, "cancel") for r in _recipients(session, event.id)
    ]
    return _enqueue(session, actor, event, "cancel", drafts, now)


def send_follow_ups(
    session: Session,
    settings: Settings,
    actor: Actor,
    event_id: int,
    resources_url: str,
    now: datetime,
) -> int:
    """After the event: a thank-you to those who came, a recap to those invited who did not."""
    require_editor(actor)
    event = get_event(session, event_id)
    if event.status == CANCELLED or now < event.ends_at:
        raise Conflict("follow-ups go out after the event has taken place")
    drafts = []
    for attended, template in ((True, "event_follow_up"), (False, "event_follow_up_missed")):
        for r in _recipients(session, event.id, EventInvitee.attended.is_(attended)):
            variables = {
                "contact_first_name": r.first_name,
                "sender_name": actor.name,
                "event_title": event.title,
                "resources_url": resources_url,
            }
            drafts.append(
                _draft(
                    session,
                    settings,
                    event,
                    r,
                    now,
                    template,
                    f"follow-up:{event.sequence}",
                    variables,
                )
            )
    return _enqueue(session, actor, event, "follow-up", drafts, now)


def tell_promoted(session: Session, settings: Settings, invitee_id: int, now: datetime) -> int:
    """The person just moved from the wait list to a seat hears so at once, with the
    calendar entry (they were sent one already, but may have declined it in their calendar)."""
    (r,) = _recipients(
        session, session.get(EventInvitee, invitee_id).event_id, EventInvitee.id == invitee_id
    )
    event = get_event(session, session.get(EventInvitee, invitee_id).event_id)
    variables = {
        "contact_first_name": r.first_name,
        **_details(session, event),
        "rsvp_no_url": rsvp_url(settings, r.invitee_id, "no"),
    }
    draft = _draft(
        session,
        settings,
        event,
        r,
        now,
        "event_seat_open",
        f"seat:{event.sequence}",
        variables,
        _calendar(session, settings, event, r, now, cancel=False),
    )
    return post.office().enqueue_many(session, [draft], now)


def plan_reminders(session: Session, settings: Settings, now: datetime) -> int:
    """Reminders due now to those who said Yes: the 7-day one from a week before until a
    day before, the 1-day one from then until the start. Transactional, so the
    frequency cap does not hold them back."""
    count = 0
    horizon = now + REMINDERS[0][1]
    events = (
        session.execute(
            select(Event).where(
                Event.status == SCHEDULED, Event.starts_at > now, Event.starts_at <= horizon
            )
        )
        .scalars()
        .all()
    )
    for event in events:
        name = reminder_due(event.starts_at, now)
        if name is None:
            continue
        drafts = [
            _draft(
                session,
                settings,
                event,
                r,
                now,
                "event_reminder",
                name,
                {
                    "contact_first_name": r.first_name,
                    **_details(session, event),
                    "event_url": rsvp_url(settings, r.invitee_id, "yes"),
                },
            )
            for r in _recipients(session, event.id, EventInvitee.rsvp == "yes")
        ]
        count += post.office().enqueue_many(session, drafts, now)
    return count


def reminder_due(starts_at: datetime, now: datetime) -> str | None:
    due = [name for name, before in REMINDERS if starts_at - before <= now < starts_at]
    return due[-1] if due else None


def reminders_job(engine: Engine, settings: Settings, clock: Clock) -> str:
    with session_scope(engine) as session:
        return f"event reminders: {plan_reminders(session, settings, clock())}"


def venue_text(session: Session, event: Event) -> str:
    place = session.get(Location, event.location_id) if event.location_id else None
    partner = session.get(Partner, event.venue_partner_id) if event.venue_partner_id else None
    row = place or partner
    parts = [row.name, row.address, row.city] if row is not None else []
    text = ", ".join(p for p in parts if p)
    return f"{text} ({event.venue_note})" if event.venue_note else text


def starts_text(event: Event) -> str:
    local = event.starts_at.astimezone(ZoneInfo(event.timezone))
    return f"{local:%A, %B} {local.day}, {local.year} at {local.hour % 12 or 12}:{local:%M %p %Z}"


def _details(session: Session, event: Event) -> dict[str, str]:
    return {
        "event_title": event.title,
        "event_starts_at": starts_text(event),
        "event_location": venue_text(session, event),
    }


def _invitation(
    session: Session, settings: Settings, event: Event, r: Recipient, now: datetime
) -> Draft:
    variables = {
        "contact_first_name": r.first_name,
        **_details(session, event),
        "event_description": event.description or event.topic,
        "rsvp_url": rsvp_url(settings, r.invitee_id, "yes"),
        "rsvp_no_url": rsvp_url(settings, r.invitee_id, "no"),
    }
    return _draft(
        session,
        settings,
        event,
        r,
        now,
        "event_invitation",
        f"invitation:{event.sequence}",
        variables,
        _calendar(session, settings, event, r, now, cancel=False),
    )


def _change(
    session: Session, settings: Settings, event: Event, r: Recipient, now: datetime, kind: str
) -> Draft:
    cancel = kind == "cancel"
    variables = {"contact_first_name": r.first_name, **_details(session, event)}
    if not cancel:
        variables["event_description"] = event.description or event.topic
    return _draft(
        session,
        settings,
        event,
        r,
        now,
        "event_cancelled" if cancel else "event_update",
        f"{kind}:{event.sequence}",
        variables,
        _calendar(session, settings, event, r, now, cancel),
    )


def _calendar(
    session: Session, settings: Settings, event: Event, r: Recipient, now: datetime, cancel: bool
) -> tuple:
    content = build_ics(
        event,
        domain=urlparse(settings.public_url).hostname or "liaison",
        organizer_email=settings.sender_email,
        organizer_name=settings.practice_name,
        location=venue_text(session, event),
        attendee_email=r.email,
        now=now,
        cancel=cancel,
    )
    return (ics_attachment(content, cancel),)


def _draft(
    session: Session,
    settings: Settings,
    event: Event,
    r: Recipient,
    now: datetime,
    template: str,
    key_part: str,
    variables: dict[str, str],
    attachments: tuple = (),
) -> Draft:
    return post.office().compose(
        session,
        settings,
        template=template,
        variables=variables,
        kind="event",
        idempotency_key=f"event:{event.id}:{key_part}:{r.contact_id}",
        to_email=r.email,
        to_name=r.name,
        now=now,
        contact_id=r.contact_id,
        partner_id=r.partner_id,
        source=f"event {event.id}: {event.title}",
        timezone=event.timezone,
        attachments=attachments,
    )


def _recipients(session: Session, event_id: int, *conditions) -> list[Recipient]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(
            EventInvitee.id,
            Contact.id,
            Contact.partner_id,
            Contact.email,
            Contact.first_name,
            Contact.last_name,
        )
        .join(Contact, Contact.id == EventInvitee.contact_id)
        .where(
            EventInvitee.event_id == event_id,
            Contact.email.is_not(None),
            Contact.email != "",
            *conditions,
        )
        .order_by(EventInvitee.id)
    ).all()
    return [
        Recipient(i, c, p, email, first, f"{first} {last}".strip())
        for i, c, p, email, first, last in rows
    ]


def _scheduled(session: Session, event_id: int) -> Event:
    event = get_event(session, event_id)
    if event.status != SCHEDULED:
        raise Conflict("this event is cancelled")
    return event


def _enqueue(
    session: Session, actor: Actor, event: Event, kind: str, drafts: list[Draft], now: datetime
) -> int:
    count = post.office().enqueue_many(session, drafts, now)
    audit.record(session, actor, "send", "event", event.id, {kind: count}, now)
    return count
