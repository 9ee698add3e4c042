"""A user's private calendar feed (RFC 5545): their tasks and the events they run, for
Google Calendar, Outlook and Apple Calendar to subscribe to.

Every entry is a VEVENT, the one component all three show from a subscription (none of
them shows a VTODO there). A task is an all-day entry on its due day that leaves the
liaison free (TRANSP:TRANSPARENT); once done it moves to the day it was done, its title
starts with "Done:" and it stays for HISTORY, so the week still shows what was
visited. A skipped task and a cancelled event are left out, so the calendar drops them
at its next refresh. Each entry's UID is the task's or event's own, so a task moved to
another day, or done, replaces the entry instead of adding a second.

Tasks name partners and their staff, never a patient; a touch's notes, where a
liaison may type anything, are never put in the feed. Read with two queries whatever
the number of entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, vDuration
from icalendar import Event as VEvent
from sqlalchemy import and_, or_, select
from sqlmodel import Session

from campaigns.events.sending import venue_text
from campaigns.events.service import SCHEDULED
from crm.clock import as_utc
from crm.models import Event, Partner, Task, User
from crm.tasks import tasks_with_whom
from crm.validation import display_phone
from crm.vocab import StepAction, TaskStatus

HISTORY = timedelta(days=90)
REFRESH = timedelta(hours=1)
DONE_MARK = "Done: "


@dataclass(frozen=True)
class FeedTask:
    task_id: int
    kind: str
    title: str
    instructions: str
    day: date
    done: bool
    partner_name: str
    location: str
    contact_name: str
    phone: str
    updated_at: datetime


def build_feed(
    session: Session, user: User, *, domain: str, app_url: str, zone: ZoneInfo, now: datetime
) -> bytes:
    """The feed as a calendar reads it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Liaison//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Liaison: {user.name or user.email}")
    calendar.add("x-wr-timezone", zone.key)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH).to_ical().decode())
    for task in feed_tasks(session, user.id, zone, now):
        calendar.add_component(_task_entry(task, domain, app_url, now))
    for event in _events(session, user.id, now):
        calendar.add_component(_event_entry(session, event, domain, app_url, now))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def task_uid(task_id: int, domain: str) -> str:
    return f"task-{task_id}@{domain}"


def event_uid(event_id: int, domain: str) -> str:
    # Not the invitation's UID: an organiser who is also invited keeps both entries apart.
    return f"event-{event_id}-feed@{domain}"


def feed_tasks(session: Session, user_id: int, zone: ZoneInfo, now: datetime) -> list[FeedTask]:
    """The user's open tasks, and those they did within HISTORY, by day."""
    rows = session.execute(
        tasks_with_whom(Partner.state)
        .where(
            Task.assigned_to == user_id,
            or_(
                Task.status == TaskStatus.OPEN.value,
                and_(Task.status == TaskStatus.DONE.value, Task.completed_at >= now - HISTORY),
            ),
        )
        .order_by(Task.due_on, Task.id)
    ).all()
    return [_feed_task(row, zone) for row in rows]


def _feed_task(row, zone: ZoneInfo) -> FeedTask:  # type: ignore[no-untyped-def]
    task, partner, partner_phone, address, city, zip_code, first, last, phone, state = row
    done = task.status == TaskStatus.DONE.value
    town = " ".join(x for x in (state, zip_code) if x)
    return FeedTask(
        task_id=task.id,
        kind=task.kind,
        title=task.title,
        instructions=task.instructions,
        day=as_utc(task.completed_at).astimezone(zone).date() if done else task.due_on,
        done=done,
        partner_name=partner,
        location=", ".join(x for x in (address, city, town) if x),
        contact_name=f"{first or ''} {last or ''}".strip(),
        phone=display_phone(phone or partner_phone),
        updated_at=as_utc(task.updated_at).astimezone(UTC),
    )


def _task_entry(task: FeedTask, domain: str, app_url: str, now: datetime) -> VEvent:
    what = f"{StepAction(task.kind).label}: {task.partner_name}"
    entry = VEvent()
    entry.add("uid", task_uid(task.task_id, domain))
    entry.add("dtstamp", now)
    entry.add("last-modified", task.updated_at)
    entry.add("dtstart", task.day)
    entry.add("dtend", task.day + timedelta(days=1))
    entry.add("summary", f"{DONE_MARK}{what}" if task.done else what)
    details = [
        task.title,
        " · ".join(x for x in (task.contact_name, task.phone) if x),
        task.instructions,
        f"My week in Liaison: {app_url}/my-week",
    ]
    entry.add("description", "\n\n".join(x for x in details if x))
    if task.location:
        entry.add("location", task.location)
    entry.add("transp", "TRANSPARENT")
    entry.add("categories", [StepAction(task.kind).label])
    return entry


def _events(session: Session, user_id: int, now: datetime) -> list[Event]:
    """The scheduled events the user made, from HISTORY ago on."""
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.created_by == user_id,
                Event.status == SCHEDULED,
                Event.ends_at >= now - HISTORY,
            )
            .order_by(Event.starts_at, Event.id)
        )
    )


def _event_entry(
    session: Session, event: Event, domain: str, app_url: str, now: datetime
) -> VEvent:
    zone = ZoneInfo(event.timezone)
    entry = VEvent()
    entry.add("uid", event_uid(event.id, domain))
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", now)
    entry.add("last-modified", as_utc(event.updated_at).astimezone(UTC))
    entry.add("dtstart", as_utc(event.starts_at).astimezone(zone))
    entry.add("dtend", as_utc(event.ends_at).astimezone(zone))
    entry.add("summary", event.title)
    description = "\n\n".join(
        x for x in (event.description or event.topic, f"Events in Liaison: {app_url}/events") if x
    )
    entry.add("description", description)
    location = venue_text(session, event)
    if location:
        entry.add("location", location)
    entry.add("status", "CONFIRMED")
    return entry
