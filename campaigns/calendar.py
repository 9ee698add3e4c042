"""The touchpoint calendar: everything planned and done between two days, for a
marketer planning a month or a quarter.

Five sources, each read with one query over the whole range (never a query per day or
per row): tasks (open ones planned on their due day, done ones on the day they were
done), emails (queued ones planned on the day they will next be tried, sent ones done
on the day they went out), touches logged by hand, and the cadence steps not yet run,
projected by `campaigns.cadences.planner.project_schedule`; and seasonal sends not yet enqueued
(drafts and approved ones), planned on their day. A touch that came from a task or an
email is left out: the task or email already stands for it, and counting both would
show one visit as two. Days are the practice's days (its time zone), not UTC's."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from campaigns.cadences.state import project_schedule
from crm.clock import as_utc
from crm.errors import InvalidInput
from crm.models import (
    Contact,
    Event,
    EventInvitee,
    Message,
    Partner,
    SeasonalSend,
    Task,
    Touch,
    User,
)
from crm.vocab import MessageStatus, StepAction, TaskStatus, TouchKind

PLANNED = "planned"
DONE = "done"
# Every program's email (acknowledgments are the closed-loop referral updates to
# partners); a marketer's test sends are not outreach.
CALENDAR_EMAIL_KINDS = ("cadence", "event", "review", "seasonal", "acknowledgment")


@dataclass(frozen=True)
class CalendarItem:
    day: date
    state: str  # PLANNED or DONE
    source: str  # "task", "email", "touch" or "cadence"
    kind: str  # call, visit, drop_off, email or a touch kind
    label: str  # what it is: a task's title, an email's subject, a cadence step
    owner_id: int | None  # the liaison: a task's assignee, a touch's author, a partner's owner
    partner_id: int | None
    partner_name: str
    person: str  # the contact or the recipient, when there is one
    step_id: int | None = None  # a projected cadence step's, for its recipients' preview


@dataclass(frozen=True)
class Count:
    planned: int = 0
    done: int = 0

    @property
    def total(self) -> int:
        return self.planned + self.done


@dataclass(frozen=True)
class DayGroup:
    """The items of one day that are the same thing (one cadence step, one email
    subject, one kind of task), with who is in it."""

    state: str
    source: str
    kind: str
    label: str
    members: list[CalendarItem]


@dataclass(frozen=True)
class Calendar:
    start: date
    end: date
    items: list[CalendarItem]
    liaisons: dict[int, str]

    def per_day(self) -> dict[date, Count]:
        return _count(self.items, lambda item: item.day)

    def per_liaison(self) -> dict[int | None, Count]:
        return _count(self.items, lambda item: item.owner_id)

    def liaison_name(self, owner_id: int | None) -> str:
        return self.liaisons.get(owner_id, "Unassigned") if owner_id is not None else "Unassigned"

    def on(self, day: date) -> list[DayGroup]:
        """The day's items grouped by what they are, planned first, biggest first."""
        groups: dict[tuple[str, str, str, str], list[CalendarItem]] = defaultdict(list)
        for item in self.items:
            if item.day == day:
                groups[(item.state, item.source, item.kind, item.label)].append(item)
        ordered = sorted(groups.items(), key=lambda g: (g[0][0] != PLANNED, -len(g[1]), g[0][3]))
        return [
            DayGroup(*key, members=sorted(members, key=lambda m: (m.partner_name, m.person)))
            for key, members in ordered
        ]


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def quarter_of(day: date) -> tuple[date, date]:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    _, last = month_of(date(first.year, first.month + 2, 1))
    return first, last


def calendar(session: Session, start: date, end: date, now: datetime, zone: ZoneInfo) -> Calendar:
    """Everything planned and done from `start` to `end` (both included)."""
    if end < start:
        raise InvalidInput("the calendar ends before it starts")
    low, high = _utc_bounds(start, end, zone)
    items = (
        _tasks(session, start, end, low, high, zone)
        + _emails(session, low, high, zone)
        + _touches(session, low, high, zone)
        + _projected(session, start, end, now, zone)
        + seasonal_items(session, start, end)
        + event_items(session, low, high, now, zone)
    )
    items.sort(key=lambda i: (i.day, i.state != PLANNED, i.source, i.label, i.partner_name))
    return Calendar(start, end, items, _names(session))


def day_detail(session: Session, day: date, now: datetime, zone: ZoneInfo) -> list[DayGroup]:
    """Who is in each of one day's items."""
    return calendar(session, day, day, now, zone).on(day)


def _count(items: list[CalendarItem], key: Any) -> dict[Any, Count]:
    planned: Counter[Any] = Counter(key(i) for i in items if i.state == PLANNED)
    done: Counter[Any] = Counter(key(i) for i in items if i.state == DONE)
    return {k: Count(planned[k], done[k]) for k in planned.keys() | done.keys()}


def _utc_bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The practice's days as a half-open UTC range, for comparing stored times."""
    low = datetime.combine(start, time(), tzinfo=zone).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return low, high


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return as_utc(moment).astimezone(zone).date()


def _person(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def _tasks(
    session: Session, start: date, end: date, low: datetime, high: datetime, zone: ZoneInfo
) -> list[CalendarItem]:
    open_in_range = and_(
        Task.status == TaskStatus.OPEN.value, Task.due_on >= start, Task.due_on <= end
    )
    done_in_range = and_(
        Task.status == TaskStatus.DONE.value, Task.completed_at >= low, Task.completed_at < high
    )
    rows = session.execute(
        select(
            Task.status,
            Task.kind,
            Task.title,
            Task.due_on,
            Task.completed_at,
            Task.assigned_to,
            Task.partner_id,
            Partner.name,
            Contact.first_name,
            Contact.last_name,
        )
        .join(Partner, Task.partner_id == Partner.id)
        .join(Contact, Task.contact_id == Contact.id, isouter=True)
        .where(or_(open_in_range, done_in_range))
    ).all()
    return [
        CalendarItem(
            day=due_on if status == TaskStatus.OPEN.value else _day(completed_at, zone),
            state=PLANNED if status == TaskStatus.OPEN.value else DONE,
            source="task",
            kind=kind,
            label=title or StepAction(kind).label,
            owner_id=owner,
            partner_id=partner_id,
            partner_name=partner,
            person=_person(first, last),
        )
        for status, kind, title, due_on, completed_at, owner, partner_id, partner, first, last in rows
    ]


def _emails(session: Session, low: datetime, high: datetime, zone: ZoneInfo) -> list[CalendarItem]:
    queued = and_(
        Message.status == MessageStatus.QUEUED.value,
        Message.next_attempt_at >= low,
        Message.next_attempt_at < high,
    )
    sent = and_(
        Message.status == MessageStatus.SENT.value, Message.sent_at >= low, Message.sent_at < high
    )
    rows = session.execute(
        select(
            Message.status,
            Message.subject,
            Message.next_attempt_at,
            Message.sent_at,
            Message.to_name,
            Message.to_email,
            Message.partner_id,
            Partner.name,
            Partner.owner_id,
        )
        .join(Partner, Message.partner_id == Partner.id, isouter=True)
        .where(Message.kind.in_(CALENDAR_EMAIL_KINDS), or_(queued, sent))
    ).all()
    return [
        CalendarItem(
            day=_day(due if status == MessageStatus.QUEUED.value else sent_at, zone),
            state=PLANNED if status == MessageStatus.QUEUED.value else DONE,
            source="email",
            kind="email",
            label=subject,
            owner_id=owner,
            partner_id=partner_id,
            partner_name=partner or "",
            person=to_name or to_email,
        )
        for status, subject, due, sent_at, to_name, to_email, partner_id, partner, owner in rows
    ]


def _touches(session: Session, low: datetime, high: datetime, zone: ZoneInfo) -> list[CalendarItem]:
    rows = session.execute(
        select(
            Touch.kind,
            Touch.occurred_at,
            Touch.user_id,
            Touch.partner_id,
            Partner.name,
            Contact.first_name,
            Contact.last_name,
        )
        .join(Partner, Touch.partner_id == Partner.id)
        .join(Contact, Touch.contact_id == Contact.id, isouter=True)
        .where(
            Touch.occurred_at >= low,
            Touch.occurred_at < high,
            Touch.task_id.is_(None),
            Touch.message_id.is_(None),
        )
    ).all()
    return [
        CalendarItem(
            day=_day(occurred_at, zone),
            state=DONE,
            source="touch",
            kind=kind,
            label=TouchKind(kind).label,
            owner_id=user_id,
            partner_id=partner_id,
            partner_name=partner,
            person=_person(first, last),
        )
        for kind, occurred_at, user_id, partner_id, partner, first, last in rows
    ]


def _projected(
    session: Session, start: date, end: date, now: datetime, zone: ZoneInfo
) -> list[CalendarItem]:
    planned = project_schedule(session, start, end, now, timezone=zone.key)
    partner_names = (
        dict(
            session.execute(
                select(Partner.id, Partner.name).where(
                    Partner.id.in_({p.partner_id for p in planned})
                )
            ).all()
        )
        if planned
        else {}
    )
    return [
        CalendarItem(
            day=p.due_on,
            state=PLANNED,
            source="cadence",
            kind=p.action,
            label=f"{p.cadence_name}: {p.step_title or StepAction(p.action).label}",
            owner_id=p.owner_id,
            partner_id=p.partner_id,
            partner_name=partner_names.get(p.partner_id, ""),
            person="",
            step_id=p.step_id,
        )
        for p in planned
    ]


SEASONAL_PHASES = {"pre": "Pre-season", "mid": "Mid-season", "post": "Post-season"}


def seasonal_items(session: Session, start: date, end: date) -> list[CalendarItem]:
    """Seasonal sends not yet enqueued (drafts and approved ones), planned on their day,
    one item per sport and phase. Once enqueued, their emails stand for them."""
    rows = session.execute(
        select(
            SeasonalSend.send_on, SeasonalSend.sport, SeasonalSend.phase, SeasonalSend.status
        ).where(
            SeasonalSend.status.in_(("draft", "approved")),
            SeasonalSend.send_on >= start,
            SeasonalSend.send_on <= end,
        )
    ).all()
    return [
        CalendarItem(
            day=send_on,
            state=PLANNED,
            source="seasonal",
            kind="email",
            label=f"{SEASONAL_PHASES[phase]} {sport} email ({status})",
            owner_id=None,
            partner_id=None,
            partner_name="",
            person="",
        )
        for send_on, sport, phase, status in rows
    ]


def event_items(
    session: Session, low: datetime, high: datetime, now: datetime, zone: ZoneInfo
) -> list[CalendarItem]:
    """Events on their day: planned until they start, done after; cancelled ones are left
    out. One item per event, with its Yes count (one grouped query)."""
    yes = (
        select(EventInvitee.event_id, func.count().label("yes"))
        .where(EventInvitee.rsvp == "yes")
        .group_by(EventInvitee.event_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Event.starts_at, Event.title, Event.kind, Event.created_by, func.coalesce(yes.c.yes, 0)
        )
        .join(yes, yes.c.event_id == Event.id, isouter=True)
        .where(Event.status != "cancelled", Event.starts_at >= low, Event.starts_at < high)
    ).all()
    return [
        CalendarItem(
            day=starts_at.astimezone(zone).date(),
            state=PLANNED if starts_at > now else DONE,
            source="event",
            kind=kind,
            label=f"{title} ({count} yes)",
            owner_id=created_by,
            partner_id=None,
            partner_name="",
            person="",
        )
        for starts_at, title, kind, created_by, count in rows
    ]


def _names(session: Session) -> dict[int, str]:
    return {
        uid: name or email
        for uid, name, email in session.execute(select(User.id, User.name, User.email))
    }
