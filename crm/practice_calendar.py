"""The practice's calendar: the public holidays of the country and state it chose (from
the `holidays` library) and its own closed days, which business days skip.

`load` reads it in one query and returns the pure `business_days.Calendar` that every
business-day function takes, so a planner pass costs one read however many steps it
counts. Holidays are known from the year before `today` to `_YEARS_AHEAD` after; past
that only weekends and the practice's own closed days count.

Before a holiday set is chosen the calendar closes only weekends and the closed days
entered, as Liaison always counted. Changing the calendar moves only what is not yet
due: a step that ran keeps its record and time, queued emails and created tasks keep
theirs, and every active enrolment is looked at again by the next planner pass, which
counts its pending steps on the new calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import delete, select, update
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.business_days import Calendar, local_date
from crm.errors import InvalidInput, NotFound
from crm.models import ClosedDay, Enrolment, PracticeCalendar
from crm.vocab import EnrolmentStatus

CALENDAR_ID = 1
_YEARS_AHEAD = 4
_NOTE_LENGTH = 120


@dataclass(frozen=True)
class HolidaySet:
    """The country (ISO code, "" for none) and state or province ("" for the country's
    holidays alone) whose public holidays close the practice."""

    country: str = ""
    subdivision: str = ""

    @property
    def label(self) -> str:
        if not self.country:
            return "No holiday set (weekends only)"
        name = country_names().get(self.country, self.country)
        return f"{name}, {self.subdivision}" if self.subdivision else name


@dataclass(frozen=True)
class Closure:
    """A day the practice is closed, for the page: a holiday or one of its own."""

    day: date
    name: str
    own: bool


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO code -> English name, of every country the holidays library knows."""
    names = {}
    for entry in holidays.registry.COUNTRIES.values():
        class_name, code = entry[0], entry[1]
        names[code] = "".join(f" {c}" if c.isupper() and i else c for i, c in enumerate(class_name))
    return dict(sorted(names.items(), key=lambda item: item[1]))


def subdivisions(country: str) -> list[str]:
    """The state or province codes the country's holidays vary by ([] for none)."""
    if country not in country_names():
        return []
    return list(holidays.country_holidays(country).subdivisions)


def checked(country: str, subdivision: str) -> HolidaySet:
    country, subdivision = country.strip().upper(), subdivision.strip().upper()
    if country and country not in country_names():
        raise InvalidInput(f"{country!r} is not a country whose holidays Liaison knows")
    if subdivision and not country:
        raise InvalidInput("choose the country before its state")
    if subdivision and subdivision not in subdivisions(country):
        raise InvalidInput(f"{subdivision!r} is not a state or province of {country}")
    return HolidaySet(country, subdivision)


@lru_cache(maxsize=64)
def _holidays_of(chosen: HolidaySet, year: int) -> tuple[tuple[date, str], ...]:
    """One year's public holidays, observed days included, computed once per process."""
    if not chosen.country:
        return ()
    found = holidays.country_holidays(chosen.country, subdiv=chosen.subdivision or None, years=year)
    return tuple(sorted(found.items()))


def _holidays_between(chosen: HolidaySet, start: date, end: date) -> list[tuple[date, str]]:
    return [
        (day, name)
        for year in range(start.year, end.year + 1)
        for day, name in _holidays_of(chosen, year)
        if start <= day <= end
    ]


def _read(session: Session) -> tuple[HolidaySet, dict[date, str]]:
    """The holiday set and the closed days (with their notes), in one query."""
    rows = session.execute(
        select(
            PracticeCalendar.country, PracticeCalendar.subdivision, ClosedDay.day, ClosedDay.note
        )
        .outerjoin(ClosedDay, ClosedDay.calendar_id == PracticeCalendar.id)
        .where(PracticeCalendar.id == CALENDAR_ID)
    ).all()
    if not rows:
        return HolidaySet(), {}
    chosen = HolidaySet(rows[0].country, rows[0].subdivision)
    return chosen, {r.day: r.note for r in rows if r.day is not None}


def calendar_of(chosen: HolidaySet, closed: set[date] | frozenset[date], today: date) -> Calendar:
    """The pure calendar for a holiday set and closed days, holidays from the year
    before `today` to `_YEARS_AHEAD` after."""
    start, end = date(today.year - 1, 1, 1), date(today.year + _YEARS_AHEAD, 12, 31)
    found = {day for day, _ in _holidays_between(chosen, start, end)}
    return Calendar(closed=frozenset(found | set(closed)))


def load(session: Session, today: date) -> Calendar:
    """The practice's calendar, for business-day arithmetic around `today`."""
    chosen, closed = _read(session)
    return calendar_of(chosen, set(closed), today)


def holiday_set(session: Session) -> HolidaySet:
    return _read(session)[0]


def coming_year(session: Session, today: date) -> list[Closure]:
    """The holidays and own closed days from `today` to a year later, in date order."""
    chosen, closed = _read(session)
    end = today + timedelta(days=365)
    days = [Closure(day, name, False) for day, name in _holidays_between(chosen, today, end)]
    days += [Closure(day, note or "Closed", True) for day, note in closed.items() if day >= today]
    return sorted(days, key=lambda c: (c.day, c.own))


def closed_days(session: Session) -> list[Closure]:
    """Every closed day the practice entered, past ones too, in date order."""
    _, closed = _read(session)
    return [Closure(day, note or "Closed", True) for day, note in sorted(closed.items())]


def choose_holidays(
    session: Session, actor: Actor, country: str, subdivision: str, now: datetime
) -> HolidaySet:
    """Close on this country's (and state's) public holidays from now on."""
    require_editor(actor)
    chosen = checked(country, subdivision)
    row = _row(session, actor, now)
    before = HolidaySet(row.country, row.subdivision)
    row.country, row.subdivision = chosen.country, chosen.subdivision
    row.updated_by, row.updated_at = actor.id, now
    audit.record(
        session,
        actor,
        "update",
        "practice_calendar",
        CALENDAR_ID,
        {"holidays": [before.label, chosen.label]},
        now,
    )
    _replan(session, now)
    return chosen


def add_closed_day(
    session: Session, actor: Actor, day: date, note: str, now: datetime, zone: ZoneInfo
) -> date:
    """One more day the practice is closed, from today on (what already ran stays as it
    ran); a day already closed is refused."""
    require_editor(actor)
    if day < local_date(now, zone):
        raise InvalidInput("a closed day must be today or later: what already ran stays as it ran")
    note = note.strip()
    if len(note) > _NOTE_LENGTH:
        raise InvalidInput(f"keep the note to {_NOTE_LENGTH} characters")
    row = _row(session, actor, now)
    taken = session.execute(select(ClosedDay.id).where(ClosedDay.day == day)).first()
    if taken is not None:
        raise InvalidInput(f"{day:%A %d %B %Y} is already a closed day")
    session.add(
        ClosedDay(calendar_id=row.id, day=day, note=note, created_by=actor.id, created_at=now)
    )
    audit.record(session, actor, "create", "closed_day", None, {"day": day, "note": note}, now)
    _replan(session, now)
    return day


def remove_closed_day(session: Session, actor: Actor, day: date, now: datetime) -> date:
    require_editor(actor)
    removed = session.execute(delete(ClosedDay).where(ClosedDay.day == day))
    if not removed.rowcount:
        raise NotFound(f"{day:%A %d %B %Y} is not one of the practice's closed days")
    audit.record(session, actor, "delete", "closed_day", None, {"day": day}, now)
    _replan(session, now)
    return day


def _row(session: Session, actor: Actor, now: datetime) -> PracticeCalendar:
    row = session.get(PracticeCalendar, CALENDAR_ID)
    if row is None:
        row = PracticeCalendar(id=CALENDAR_ID, updated_by=actor.id, updated_at=now)
        session.add(row)
        session.flush()
    return row


def _replan(session: Session, now: datetime) -> None:
    """Have the next planner pass look at every active enrolment waiting for a later
    step, so pending steps are counted on the new calendar (one UPDATE). What ran is
    recorded in step runs and is not counted again."""
    session.execute(
        update(Enrolment)
        .where(Enrolment.status == EnrolmentStatus.ACTIVE.value, Enrolment.next_due_at > now)
        .values(next_due_at=now)
    )
