"""When a partner's office is open: one span per weekday, local time. The day's route
visits a partner within its hours and warns of a stop at an office closed that day.

Hours are known or not: a partner nobody entered hours for has none, and the route
makes no assumption about it; once any day is entered, the days without hours are the
days the office is closed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from pydantic import BaseModel, model_validator
from sqlalchemy import delete, select
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.errors import InvalidInput
from crm.models import PartnerOpeningHours
from crm.partners import get_partner

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class DayHours(BaseModel):
    """One weekday's opening (0 is Monday)."""

    weekday: int
    opens: time
    closes: time

    @model_validator(mode="after")
    def _opens_before_it_closes(self) -> DayHours:
        if not 0 <= self.weekday <= 6:
            raise ValueError("a weekday is 0 (Monday) to 6 (Sunday)")
        if self.opens >= self.closes:
            raise ValueError(f"on {WEEKDAYS[self.weekday]}s the office must open before it closes")
        return self


@dataclass(frozen=True)
class WeekHours:
    """A partner's week: weekday to (opens, closes) in minutes after midnight."""

    days: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return bool(self.days)

    def on(self, day: date) -> tuple[int, int] | None:
        """The day's opening, or None when closed or not known."""
        return self.days.get(day.weekday())

    def closed_on(self, day: date) -> bool:
        return self.known and day.weekday() not in self.days


def set_opening_hours(
    session: Session, actor: Actor, partner_id: int, days: Iterable[DayHours], now: datetime
) -> WeekHours:
    """Replace the partner's hours with `days`; none at all means not known."""
    require_editor(actor)
    get_partner(session, partner_id)
    days = sorted(days, key=lambda d: d.weekday)
    weekdays = [d.weekday for d in days]
    if len(set(weekdays)) != len(weekdays):
        raise InvalidInput("give each weekday one opening at most")
    session.execute(delete(PartnerOpeningHours).where(PartnerOpeningHours.partner_id == partner_id))
    for day in days:
        session.add(
            PartnerOpeningHours(
                partner_id=partner_id,
                weekday=day.weekday,
                opens=_minutes(day.opens),
                closes=_minutes(day.closes),
            )
        )
    session.flush()
    hours = opening_hours(session, partner_id)
    audit.record(
        session, actor, "update", "partner", partner_id, {"opening_hours": describe(hours)}, now
    )
    return hours


def opening_hours(session: Session, partner_id: int) -> WeekHours:
    return hours_of(session, [partner_id]).get(partner_id, WeekHours())


def hours_of(session: Session, partner_ids: Iterable[int]) -> dict[int, WeekHours]:
    """The hours of the partners that have any, in one query."""
    ids = sorted(set(partner_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            PartnerOpeningHours.partner_id,
            PartnerOpeningHours.weekday,
            PartnerOpeningHours.opens,
            PartnerOpeningHours.closes,
        ).where(PartnerOpeningHours.partner_id.in_(ids))
    ).all()
    found: dict[int, dict[int, tuple[int, int]]] = {}
    for partner_id, weekday, opens, closes in rows:
        found.setdefault(partner_id, {})[weekday] = (opens, closes)
    return {pid: WeekHours(days) for pid, days in found.items()}


def clock_time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def describe(hours: WeekHours) -> str:
    """ "Mon 08:00–17:00, Tue 08:00–12:30", or "not known"."""
    if not hours.known:
        return "not known"
    return ", ".join(
        f"{WEEKDAYS[day][:3]} {clock_time(opens):%H:%M}–{clock_time(closes):%H:%M}"
        for day, (opens, closes) in sorted(hours.days.items())
    )


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute
