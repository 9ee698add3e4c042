"""How an event went: answers, attendance, and whether attending partners referred more
in the 90 days after it than in the 90 days before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, select
from sqlmodel import Session

from crm.models import Event, EventInvitee, Referral

WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class EventStats:
    invited: int
    yes: int
    no: int
    no_answer: int
    waitlist: int
    attended: int
    referrals_before: int
    referrals_after: int


def event_stats(session: Session, event: Event) -> EventStats:
    def answered(value: str):  # type: ignore[no-untyped-def]
        return func.coalesce(func.sum(case((EventInvitee.rsvp == value, 1), else_=0)), 0)

    counts = session.execute(
        select(
            func.count(),
            answered("yes"),
            answered("no"),
            answered("none"),
            answered("waitlist"),
            func.coalesce(func.sum(case((EventInvitee.attended.is_(True), 1), else_=0)), 0),
        ).where(EventInvitee.event_id == event.id)
    ).one()
    before, after = referral_lift(session, event)
    return EventStats(*(int(n) for n in counts), referrals_before=before, referrals_after=after)


def referral_lift(session: Session, event: Event) -> tuple[int, int]:
    """Referrals from partners with at least one attendee: (90 days before the start, 90 days after)."""
    attending = select(EventInvitee.partner_id).where(
        EventInvitee.event_id == event.id, EventInvitee.attended.is_(True)
    )
    start = event.starts_at

    def within(low, high):  # type: ignore[no-untyped-def]
        return func.coalesce(
            func.sum(
                case(((Referral.received_at >= low) & (Referral.received_at < high), 1), else_=0)
            ),
            0,
        )

    before, after = session.execute(
        select(within(start - WINDOW, start), within(start, start + WINDOW)).where(
            Referral.partner_id.in_(attending)
        )
    ).one()
    return int(before), int(after)
