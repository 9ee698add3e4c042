"""Meals and gifts at events are remuneration to referral sources. Under the Stark
law's exception for non-monetary compensation (42 CFR 411.357(k)) a physician may
receive up to a yearly limit, set by CMS each calendar year. A physician's total for a
year is the cost per attendee of every event they attended that year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.db import insert_for
from crm.errors import InvalidInput
from crm.models import CompensationLimit, Contact, Event, EventInvitee, Partner
from crm.vocab import ContactRole

# CMS's published limits, used when no row for the year was entered.
DEFAULT_LIMITS_CENTS = {2026: 53_500}


@dataclass(frozen=True)
class PhysicianTotal:
    contact_id: int
    name: str
    partner_name: str
    events: int
    total_cents: int
    limit_cents: int | None

    @property
    def over(self) -> bool:
        return self.limit_cents is not None and self.total_cents > self.limit_cents


@dataclass(frozen=True)
class PreviewFlag:
    contact_id: int
    name: str
    partner_name: str
    so_far_cents: int
    with_event_cents: int
    limit_cents: int


def limit_for(session: Session, year: int) -> int | None:
    row = session.get(CompensationLimit, year)
    return row.limit_cents if row is not None else DEFAULT_LIMITS_CENTS.get(year)


def set_limit(session: Session, actor: Actor, year: int, limit_cents: int, now: datetime) -> int:
    require_editor(actor)
    if limit_cents < 0:
        raise InvalidInput("a limit cannot be negative")
    statement = insert_for(session, CompensationLimit).values(year=year, limit_cents=limit_cents)
    session.execute(
        statement.on_conflict_do_update(index_elements=["year"], set_={"limit_cents": limit_cents})
    )
    audit.record(
        session, actor, "update", "compensation_limit", year, {"limit_cents": limit_cents}, now
    )
    return limit_cents


def year_bounds(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The calendar year in the practice's zone: a New Year's Eve dinner counts for the
    year it was eaten in."""
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def totals_select(year: int, zone: ZoneInfo, until: datetime | None = None) -> Select:
    """contact_id, events, total_cents per physician who attended a costed event in the year."""
    start, end = year_bounds(year, zone)
    end = min(end, until) if until is not None else end
    return (
        select(
            EventInvitee.contact_id,
            func.count().label("events"),
            func.sum(Event.cost_per_attendee_cents).label("total_cents"),
        )
        .join(Event, Event.id == EventInvitee.event_id)
        .join(Contact, Contact.id == EventInvitee.contact_id)
        .where(
            EventInvitee.attended.is_(True),
            Contact.role == ContactRole.PHYSICIAN.value,
            Event.cost_per_attendee_cents > 0,
            Event.starts_at >= start,
            Event.starts_at < end,
        )
        .group_by(EventInvitee.contact_id)
    )


def year_to_date(
    session: Session, year: int, zone: ZoneInfo, now: datetime
) -> list[PhysicianTotal]:
    """The compliance officer's report: each physician's total so far this year, highest first."""
    totals = totals_select(year, zone, until=now).subquery()
    limit = limit_for(session, year)
    rows = session.execute(
        select(
            Contact.id,
            Contact.first_name,
            Contact.last_name,
            Partner.name,
            totals.c.events,
            totals.c.total_cents,
        )
        .join(totals, totals.c.contact_id == Contact.id)
        .join(Partner, Partner.id == Contact.partner_id)
        .order_by(totals.c.total_cents.desc(), Contact.last_name, Contact.id)
    ).all()
    return [
        PhysicianTotal(cid, f"{first} {last}".strip(), partner, int(events), int(total), limit)
        for cid, first, last, partner, events, total in rows
    ]


def preview_flags(
    session: Session, event: Event, contacts: Select, zone: ZoneInfo
) -> list[PreviewFlag]:
    """Physicians among `contacts` (a select of contact_id) whose total for the event's
    year, with this event's cost added, would pass the limit."""
    year = event.starts_at.astimezone(zone).year
    limit = limit_for(session, year)
    if limit is None or event.cost_per_attendee_cents <= 0:
        return []
    totals = totals_select(year, zone).where(Event.id != event.id).subquery()
    so_far = func.coalesce(totals.c.total_cents, 0)
    audience = contacts.subquery()
    rows = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Partner.name, so_far)
        .join(Partner, Partner.id == Contact.partner_id)
        .outerjoin(totals, totals.c.contact_id == Contact.id)
        .where(
            Contact.id.in_(select(audience.c.contact_id)),
            Contact.role == ContactRole.PHYSICIAN.value,
            so_far + event.cost_per_attendee_cents > limit,
        )
        .order_by(so_far.desc(), Contact.last_name)
    ).all()
    return [
        PreviewFlag(
            cid,
            f"{first} {last}".strip(),
            partner,
            int(total),
            int(total) + event.cost_per_attendee_cents,
            limit,
        )
        for cid, first, last, partner, total in rows
    ]
