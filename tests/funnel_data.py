"""A small fixed set of referrals whose funnel, timings and target breaches are worked
out by hand in the tests. Times are UTC; October 2026 in New York is UTC-4, and now
(tests.conftest.NOW) is Wednesday 25 November, 10:00 local.

    r1 Alder (primary care), Main Street: Fri 2 Oct 14:00 local; contacted Mon,
       scheduled Tue, first visit Mon 12 Oct: every target met.
    r2 Alder, Main Street: Fri 2 Oct 15:00; contacted Tue 6 Oct (a day late), then
       nothing: still open, overdue to be scheduled and seen.
    r3 Birch (physical therapy), Riverside: Saturday 3 Oct; contacted Mon (on time),
       scheduled Thu 8 Oct (a day late), first visit Wed 14 Oct.
    r4 Birch, Riverside: Wed 14 Oct, contacted the same afternoon, lost ("Chose
       another clinic").
    r5 Birch, no location: Tue 20 Oct, lost without a reason, never contacted.
    r6 Cedar (orthopedics; its only referral), Main Street: Thu 29 Oct, nothing yet.
    r7 Alder, Main Street: Mon 2 Nov, outside October.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from crm.analytics.filters import Filters, Period
from crm.models import Location, Partner, Referral
from tests.factories import make_location, make_partner, make_referral

NEW_YORK = ZoneInfo("America/New_York")
OCTOBER = Period.month(2026, 10)
AUTUMN = Period(date(2026, 9, 1), date(2026, 12, 1))
AUGUST = Period.month(2026, 8)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def filters(period: Period = OCTOBER, **narrowed: tuple) -> Filters:
    return Filters(period=period, zone=NEW_YORK, **narrowed)


@dataclass
class FunnelData:
    main: Location
    riverside: Location
    alder: Partner
    birch: Partner
    cedar: Partner
    referrals: dict[str, Referral]


def funnel_data(session: Session) -> FunnelData:
    main, riverside = (
        make_location(session, name="Main Street"),
        make_location(session, name="Riverside"),
    )
    alder = make_partner(
        session, name="Alder Family Medicine", partner_type="primary_care", territory="North"
    )
    birch = make_partner(
        session, name="Birch Physical Therapy", partner_type="physical_therapy", territory="South"
    )
    cedar = make_partner(
        session, name="Cedar Orthopedics", partner_type="orthopedics", territory="North"
    )
    r = {
        "r1": make_referral(
            session,
            alder,
            utc(10, 2, 18),
            location_id=main.id,
            contacted_at=utc(10, 5, 15),
            scheduled_at=utc(10, 6, 15),
            first_visit_at=utc(10, 12, 15),
            status="completed",
        ),
        "r2": make_referral(
            session,
            alder,
            utc(10, 2, 19),
            location_id=main.id,
            contacted_at=utc(10, 6, 14),
            status="contacted",
        ),
        "r3": make_referral(
            session,
            birch,
            utc(10, 3, 16),
            location_id=riverside.id,
            contacted_at=utc(10, 5, 20),
            scheduled_at=utc(10, 8, 14),
            first_visit_at=utc(10, 14, 14),
            status="completed",
        ),
        "r4": make_referral(
            session,
            birch,
            utc(10, 14, 13),
            location_id=riverside.id,
            contacted_at=utc(10, 14, 17),
            status="lost",
            lost_reason="Chose another clinic",
        ),
        "r5": make_referral(session, birch, utc(10, 20, 14), status="lost", lost_reason=""),
        "r6": make_referral(session, cedar, utc(10, 29, 14), location_id=main.id),
        "r7": make_referral(session, alder, utc(11, 2, 15), location_id=main.id),
    }
    return FunnelData(main, riverside, alder, birch, cedar, r)
