"""The calendar file attached to invitations and updates (RFC 5545 / iTIP).

The UID stays the same for the life of the event and SEQUENCE rises with every change,
so a calendar replaces the old entry instead of adding a second one; a cancellation is
METHOD:CANCEL with STATUS:CANCELLED. Times carry the venue's TZID so the entry shows at
the right hour wherever the reader's calendar is set."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, vCalAddress
from icalendar import Event as VEvent

from campaigns.post import Attachment
from crm.models import Event


def event_uid(event: Event, domain: str) -> str:
    return f"event-{event.id}@{domain}"


def build_ics(
    event: Event,
    *,
    domain: str,
    organizer_email: str,
    organizer_name: str,
    location: str,
    attendee_email: str,
    now: datetime,
    cancel: bool = False,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Liaison//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    calendar.add_component(
        _vevent(
            event, domain, organizer_email, organizer_name, location, attendee_email, now, cancel
        )
    )
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_attachment(content: bytes, cancel: bool = False) -> Attachment:
    method = "CANCEL" if cancel else "REQUEST"
    return Attachment(
        filename="invite.ics", content=content, mime_type=f"text/calendar; method={method}"
    )


def _vevent(
    event: Event,
    domain: str,
    organizer_email: str,
    organizer_name: str,
    location: str,
    attendee_email: str,
    now: datetime,
    cancel: bool,
) -> VEvent:
    zone = ZoneInfo(event.timezone)
    vevent = VEvent()
    vevent.add("uid", event_uid(event, domain))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", now)
    vevent.add("dtstart", event.starts_at.astimezone(zone))
    vevent.add("dtend", event.ends_at.astimezone(zone))
    vevent.add("summary", event.title)
    vevent.add("description", event.description or event.topic)
    vevent.add("location", location)
    vevent.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = organizer_name
    vevent.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["rsvp"] = "FALSE"
    vevent.add("attendee", attendee)
    return vevent
