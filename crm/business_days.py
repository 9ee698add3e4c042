"""Business-day arithmetic in the practice's time zone, on the practice's calendar.

Cadence offsets count business days because a liaison cannot call an office on a
Sunday or on Thanksgiving, and an email sent on a closed day sits unread until the
practice opens. A business day is a weekday that is neither a holiday of the set the
practice chose nor one of its own closed days; `Calendar` holds those days, loaded once
(crm.practice_calendar) and passed in, so the arithmetic here is pure and asks nothing
of the database. A step is due at a set local hour on its day, so "two business days
after Friday" means Tuesday at 09:00 in the practice's zone, whatever UTC says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.clock import as_utc

DUE_HOUR = time(9, 0)
_SATURDAY = 5
# A year of a holiday-free stretch is longer than any calendar could close in a row.
_LONGEST_CLOSURE = 366


@dataclass(frozen=True)
class Calendar:
    """The weekdays the practice is closed: its holiday set's days and its own closed
    days, as one set. An empty calendar closes only weekends."""

    closed: frozenset[date] = frozenset()

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < _SATURDAY and day not in self.closed


WEEKENDS_ONLY = Calendar()


def is_business_day(day: date, calendar: Calendar = WEEKENDS_ONLY) -> bool:
    return calendar.is_business_day(day)


def next_business_day(day: date, calendar: Calendar = WEEKENDS_ONLY) -> date:
    """The day itself when it is a business day, else the next one."""
    for _ in range(_LONGEST_CLOSURE):
        if calendar.is_business_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError("the practice's calendar has no business day in a year")


def add_business_days(day: date, count: int, calendar: Calendar = WEEKENDS_ONLY) -> date:
    """`count` business days after `day`; zero rolls a closed day forward to the next
    business day. Saturday + 1 is Monday, as is Friday + 1 (counting after a closed
    day is counting after the business day before it)."""
    if count < 0:
        raise ValueError("business-day offsets cannot be negative")
    if count == 0:
        return next_business_day(day, calendar)
    if not calendar.closed:
        return _add_weekdays(day, count)
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    while count:
        day = next_business_day(day + timedelta(days=1), calendar)
        count -= 1
    return day


def _add_weekdays(day: date, count: int) -> date:
    """The weekends-only shortcut: whole weeks at once."""
    while day.weekday() >= _SATURDAY:
        day -= timedelta(days=1)
    weeks, rest = divmod(count, 5)
    day += timedelta(weeks=weeks)
    while rest:
        day += timedelta(days=1)
        if day.weekday() < _SATURDAY:
            rest -= 1
    return day


def business_days_between(start: date, end: date, calendar: Calendar = WEEKENDS_ONLY) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start):
    how far a pause from `start` to `end` pushes what remains."""
    if end <= start:
        return 0
    whole_weeks, rest = divmod((end - start).days, 7)
    count = whole_weeks * 5 - sum(
        1 for day in calendar.closed if start < day <= end and day.weekday() < _SATURDAY
    )
    day = start + timedelta(weeks=whole_weeks)
    for _ in range(rest):
        day += timedelta(days=1)
        count += day.weekday() < _SATURDAY
    return count


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return as_utc(moment).astimezone(zone).date()


def due_moment(day: date, zone: ZoneInfo, at: time = DUE_HOUR) -> datetime:
    """The UTC instant of `at` o'clock on `day` in the practice's zone."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def shift_by_business_days(
    moment: datetime, count: int, zone: ZoneInfo, calendar: Calendar = WEEKENDS_ONLY
) -> datetime:
    """`moment` moved `count` business days later, keeping its local time of day."""
    if count == 0:
        return moment
    local = as_utc(moment).astimezone(zone)
    day = add_business_days(local.date(), count, calendar)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(UTC)
