"""Business-day arithmetic in the practice's time zone.

Cadence offsets count business days (Monday to Friday) because a liaison cannot call an
office on a Sunday and an email sent on Saturday sits unread until Monday. A step is due
at a set local hour on its day, so "two business days after Friday" means Tuesday at
09:00 in the practice's zone, whatever UTC says. Holidays are not modelled (yet): the
send window and a person's judgement cover them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.clock import as_utc

DUE_HOUR = time(9, 0)
_SATURDAY = 5


def is_business_day(day: date) -> bool:
    return day.weekday() < _SATURDAY


def next_business_day(day: date) -> date:
    """The day itself when it is a business day, else the Monday after."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int) -> date:
    """`count` business days after `day`; zero rolls a weekend forward to Monday.
    Saturday + 1 is Monday, as is Friday + 1."""
    if count < 0:
        raise ValueError("business-day offsets cannot be negative")
    if count == 0:
        return next_business_day(day)
    while not is_business_day(day):  # counting after a weekend day is counting after Friday
        day -= timedelta(days=1)
    weeks, rest = divmod(count, 5)
    day += timedelta(weeks=weeks)
    while rest:
        day += timedelta(days=1)
        if is_business_day(day):
            rest -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start):
    how far a pause from `start` to `end` pushes what remains."""
    if end <= start:
        return 0
    whole_weeks, rest = divmod((end - start).days, 7)
    count = whole_weeks * 5
    day = start + timedelta(weeks=whole_weeks)
    for _ in range(rest):
        day += timedelta(days=1)
        count += is_business_day(day)
    return count


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return as_utc(moment).astimezone(zone).date()


def due_moment(day: date, zone: ZoneInfo, at: time = DUE_HOUR) -> datetime:
    """The UTC instant of `at` o'clock on `day` in the practice's zone."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def shift_by_business_days(moment: datetime, count: int, zone: ZoneInfo) -> datetime:
    """`moment` moved `count` business days later, keeping its local time of day."""
    if count == 0:
        return moment
    local = as_utc(moment).astimezone(zone)
    day = add_business_days(local.date(), count)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(UTC)
