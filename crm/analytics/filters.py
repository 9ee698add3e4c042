"""What leadership is looking at: a period and the filters that apply across the
analytics pages. One object, passed to every figure, so the overview, the funnel and
the report always agree on which partners and referrals count.

Periods are whole days in the practice's time zone, half-open [start, end): a month is
`Period(date(2026, 10, 1), date(2026, 11, 1))`.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlalchemy.sql.elements import ColumnElement as _Column

from crm.errors import InvalidInput
from crm.models import Partner, Referral


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput("a period must end after it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def label(self) -> str:
        last = self.end - timedelta(days=1)
        if self.start.day == 1 and self.end.day == 1 and _months_between(self.start, self.end) == 1:
            return self.start.strftime("%B %Y")
        return f"{self.start:%b %d, %Y} to {last:%b %d, %Y}"

    def previous(self) -> Period:
        """The period of the same length just before; whole months map to whole months."""
        months = _months_between(self.start, self.end)
        if months and self.start.day == 1 and self.end.day == 1:
            return Period(_add_months(self.start, -months), self.start)
        return Period(self.start - timedelta(days=self.days), self.start)

    def last_year(self) -> Period:
        return Period(_add_months(self.start, -12), _add_months(self.end, -12))

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as aware UTC datetimes, for comparing with stored times."""
        return (_utc(self.start, zone), _utc(self.end, zone))

    def months(self) -> list[str]:
        """Every month the period touches, as 'YYYY-MM' (the keys `sql.month_key` makes)."""
        keys: list[str] = []
        cursor = self.start.replace(day=1)
        while cursor < self.end:
            keys.append(f"{cursor:%Y-%m}")
            cursor = _add_months(cursor, 1)
        return keys

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        return cls(start, _add_months(start, 1))

    @classmethod
    def last_full_months(cls, today: date, count: int) -> Period:
        end = today.replace(day=1)
        return cls(_add_months(end, -count), end)


@dataclass(frozen=True)
class Filters:
    """Partner filters (type, territory, liaison) narrow every figure; location and
    service line belong to a referral, so they narrow the referral figures only."""

    period: Period
    partner_types: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()
    location_ids: tuple[int, ...] = ()
    service_lines: tuple[str, ...] = ()
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/New_York"))

    def for_period(self, period: Period) -> Filters:
        return replace(self, period=period)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return self.period.bounds(self.zone)

    @property
    def offset_minutes(self) -> int:
        """The zone's UTC offset in the middle of the period, for `sql.month`/`sql.day`."""
        start, end = self.bounds
        middle = start + (end - start) / 2
        offset = middle.astimezone(self.zone).utcoffset()
        return int(offset.total_seconds() // 60) if offset else 0

    @property
    def narrows_referrals(self) -> bool:
        return bool(self.location_ids or self.service_lines)

    def partner_clauses(
        self, partner: type[Partner] | object = Partner
    ) -> list[ColumnElement[bool]]:
        """Conditions on a Partner (or an alias of it) for the partner filters."""
        clauses: list[ColumnElement[bool]] = []
        if self.partner_types:
            clauses.append(partner.partner_type.in_(self.partner_types))  # type: ignore[attr-defined]
        if self.territories:
            clauses.append(partner.territory.in_(self.territories))  # type: ignore[attr-defined]
        if self.owner_ids:
            clauses.append(partner.owner_id.in_(self.owner_ids))  # type: ignore[attr-defined]
        return clauses

    def referral_clauses(
        self, referral: type[Referral] | object = Referral
    ) -> list[ColumnElement[bool]]:
        """Conditions on a Referral (or an alias of it) for location and service line."""
        clauses: list[ColumnElement[bool]] = []
        if self.location_ids:
            clauses.append(referral.location_id.in_(self.location_ids))  # type: ignore[attr-defined]
        if self.service_lines:
            clauses.append(referral.service_line.in_(self.service_lines))  # type: ignore[attr-defined]
        return clauses

    def within(self, column: _Column, period: Period | None = None) -> ColumnElement[bool]:
        start, end = (period or self.period).bounds(self.zone)
        return (column >= start) & (column < end)


def filters_from(
    period: Period,
    zone: ZoneInfo,
    *,
    partner_types: Sequence[str] = (),
    territories: Sequence[str] = (),
    owner_ids: Sequence[int] = (),
    location_ids: Sequence[int] = (),
    service_lines: Sequence[str] = (),
) -> Filters:
    return Filters(
        period=period,
        zone=zone,
        partner_types=tuple(partner_types),
        territories=tuple(territories),
        owner_ids=tuple(owner_ids),
        location_ids=tuple(location_ids),
        service_lines=tuple(service_lines),
    )


def _utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, monthrange(year, month + 1)[1]))
