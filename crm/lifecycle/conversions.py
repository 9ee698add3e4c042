"""Which partners became referral sources in a period, and after which outreach: the
touches and the cadence enrolments each had before its conversion. Three queries for
any number of partners. A partner coming back from dormant counts too (from_status
says so); its outreach is only what came after it last became a source, so a win-back
is credited with the win-back's touches, not the first courtship's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from crm.lifecycle.rules import SOURCE
from crm.models import Cadence, Enrolment, Partner, PartnerStatusChange, Touch


@dataclass(frozen=True)
class OutreachTouch:
    touch_id: int
    kind: str
    at: datetime


@dataclass(frozen=True)
class OutreachEnrolment:
    enrolment_id: int
    cadence_id: int
    cadence_name: str
    purpose: str
    enrolled_at: datetime


@dataclass
class Conversion:
    partner_id: int
    partner_name: str
    at: datetime
    from_status: str
    referral_id: int | None
    touches: list[OutreachTouch] = field(default_factory=list)
    enrolments: list[OutreachEnrolment] = field(default_factory=list)


def conversions(session: Session, start: datetime, end: datetime) -> list[Conversion]:
    """Moves into referral source with start <= at < end, oldest first."""
    window = _windows(start, end)
    rows = session.execute(
        select(
            window.c.id,
            window.c.partner_id,
            Partner.name,
            window.c.at,
            window.c.from_status,
            window.c.cause_id,
        )
        .join(Partner, Partner.id == window.c.partner_id)
        .order_by(window.c.at, window.c.id)
    ).all()
    found = {r[0]: Conversion(r[1], r[2], r[3], r[4], r[5]) for r in rows}
    for change_id, touch in _touches(session, window):
        found[change_id].touches.append(touch)
    for change_id, enrolment in _enrolments(session, window):
        found[change_id].enrolments.append(enrolment)
    return list(found.values())


def _windows(start: datetime, end: datetime):  # type: ignore[no-untyped-def]
    """Each conversion with the time its outreach counts from: the partner's previous
    move into referral source, if any."""
    change, earlier = PartnerStatusChange, aliased(PartnerStatusChange)
    previous = (
        select(func.max(earlier.at))
        .where(
            earlier.partner_id == change.partner_id,
            earlier.to_status == SOURCE,
            earlier.at < change.at,
        )
        .correlate(change)
        .scalar_subquery()
    )
    return (
        select(
            change.id,
            change.partner_id,
            change.at,
            change.from_status,
            change.cause_id,
            previous.label("counts_from"),
        )
        .where(change.to_status == SOURCE, change.at >= start, change.at < end)
        .subquery("conversion")
    )


def _in_window(window, at):  # type: ignore[no-untyped-def]
    return and_(at <= window.c.at, or_(window.c.counts_from.is_(None), at > window.c.counts_from))


def _touches(session: Session, window) -> list[tuple[int, OutreachTouch]]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(window.c.id, Touch.id, Touch.kind, Touch.occurred_at)
        .join(
            window,
            and_(window.c.partner_id == Touch.partner_id, _in_window(window, Touch.occurred_at)),
        )
        .order_by(Touch.occurred_at, Touch.id)
    ).all()
    return [(change_id, OutreachTouch(tid, kind, at)) for change_id, tid, kind, at in rows]


def _enrolments(session: Session, window) -> list[tuple[int, OutreachEnrolment]]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(
            window.c.id,
            Enrolment.id,
            Cadence.id,
            Cadence.name,
            Cadence.purpose,
            Enrolment.enrolled_at,
        )
        .join(
            window,
            and_(
                window.c.partner_id == Enrolment.partner_id,
                _in_window(window, Enrolment.enrolled_at),
            ),
        )
        .join(Cadence, Cadence.id == Enrolment.cadence_id)
        .order_by(Enrolment.enrolled_at, Enrolment.id)
    ).all()
    return [
        (change_id, OutreachEnrolment(eid, cid, name, purpose, at))
        for change_id, eid, cid, name, purpose, at in rows
    ]
