"""A small fixed practice whose figures are worked out by hand in the analytics tests.

Times are 15:00 UTC (11:00 in Boston) unless said otherwise, so whole days apart.

Partners (type, territory, liaison):
    harbor   Harbor Primary Care     primary_care      North  Ana
    bay      Bay Physical Therapy    physical_therapy  South  Ben
    summit   Summit Orthopedics      orthopedics       North  Ben
    lakeside Lakeside School         school            South  (none)  one referral ever
    quiet    Quiet Chiropractic      chiropractic      North  Ana     no referrals

Referrals received (service line, location; first visit):
    Oct 2025  harbor Oct 08 (knee, Main; visit Oct 13, 5 days)
              bay    Oct 22 (knee, Main; visit Nov 05 2025)
    Aug 2026  bay    Aug 05 (knee, Main; visit Aug 12, 7 days)
              harbor Aug 10 (knee, Main; visit Aug 14, 4 days)
              summit Aug 12 (shoulder, West; lost)         <- summit's first referral
              bay    Aug 20 (knee, Main; visit Sep 04, 15 days)
    Sep 2026  harbor Sep 03 (knee, Main; visit Sep 10, 7 days)
              bay    Sep 09 (shoulder, West; lost)
              harbor Sep 17 (knee, Main; visit Oct 01, 14 days)
    Oct 2026  harbor Oct 02 (knee, Main; visit Oct 06, 4 days)
              summit Oct 07 (knee, West; visit Nov 03: after October)
              harbor Oct 14 (shoulder, West; scheduled, still open)
              lakeside Oct 15 (knee, Main; lost)             <- lakeside's only referral
              bay    Oct 20 (knee, Main; visit Oct 30, 10 days)
              summit Oct 21 (shoulder, Main; contacted, still open)
              harbor Oct 31 22:00 in Boston = Nov 01 02:00 UTC (knee, Main; received, open)
    Nov 2026  bay    Nov 10 (knee, Main; received, open)

Status changes: summit -> dormant Oct 05 2025; quiet -> dormant Oct 12 2026;
bay -> engaged Oct 03 2026 (not a dormancy).
Touches: summit Sep 15 2026; harbor Oct 05 and Oct 19 2026; bay Oct 09 2026;
quiet Oct 01 2026; harbor Nov 02 2026.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session

from crm.access import Actor
from crm.analytics.filters import Filters, Period
from crm.models import Location, Partner, PartnerStatusChange
from tests.factories import make_location, make_partner, make_referral, make_touch, make_user

OCTOBER = Period.month(2026, 10)
AUG_TO_OCT = Period(date(2026, 8, 1), date(2026, 11, 1))
EMPTY = Period.month(2024, 1)


@dataclass(frozen=True)
class Practice:
    ana: Actor
    ben: Actor
    main: Location
    west: Location
    harbor: Partner
    bay: Partner
    summit: Partner
    lakeside: Partner
    quiet: Partner


def at(year: int, month: int, day: int, hour: int = 15) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def filters(period: Period = OCTOBER, **narrowing: tuple) -> Filters:
    return Filters(period=period, **narrowing)


def practice(session: Session) -> Practice:
    ana = make_user(session, name="Ana Ortiz", email="ana@practice.test")
    ben = make_user(session, name="Ben Cole", email="ben@practice.test")
    main, west = make_location(session, name="Main Street"), make_location(session, name="West End")
    harbor = make_partner(
        session,
        name="Harbor Primary Care",
        partner_type="primary_care",
        territory="North",
        owner_id=ana.id,
    )
    bay = make_partner(
        session,
        name="Bay Physical Therapy",
        partner_type="physical_therapy",
        territory="South",
        owner_id=ben.id,
    )
    summit = make_partner(
        session,
        name="Summit Orthopedics",
        partner_type="orthopedics",
        territory="North",
        owner_id=ben.id,
    )
    lakeside = make_partner(
        session, name="Lakeside School", partner_type="school", territory="South"
    )
    quiet = make_partner(
        session,
        name="Quiet Chiropractic",
        partner_type="chiropractic",
        territory="North",
        owner_id=ana.id,
    )
    p = Practice(ana, ben, main, west, harbor, bay, summit, lakeside, quiet)
    _referrals(session, p)
    _status_changes(session, p)
    for partner, when in (
        (summit, at(2026, 9, 15)),
        (harbor, at(2026, 10, 5)),
        (harbor, at(2026, 10, 19)),
        (bay, at(2026, 10, 9)),
        (quiet, at(2026, 10, 1)),
        (harbor, at(2026, 11, 2)),
    ):
        make_touch(session, partner, when)
    return p


def _referrals(session: Session, p: Practice) -> None:
    rows = [
        (p.harbor, at(2025, 10, 8), "knee", p.main, at(2025, 10, 13), "completed"),
        (p.bay, at(2025, 10, 22), "knee", p.main, at(2025, 11, 5), "completed"),
        (p.bay, at(2026, 8, 5), "knee", p.main, at(2026, 8, 12), "completed"),
        (p.harbor, at(2026, 8, 10), "knee", p.main, at(2026, 8, 14), "completed"),
        (p.summit, at(2026, 8, 12), "shoulder", p.west, None, "lost"),
        (p.bay, at(2026, 8, 20), "knee", p.main, at(2026, 9, 4), "completed"),
        (p.harbor, at(2026, 9, 3), "knee", p.main, at(2026, 9, 10), "completed"),
        (p.bay, at(2026, 9, 9), "shoulder", p.west, None, "lost"),
        (p.harbor, at(2026, 9, 17), "knee", p.main, at(2026, 10, 1), "completed"),
        (p.harbor, at(2026, 10, 2), "knee", p.main, at(2026, 10, 6), "completed"),
        (p.summit, at(2026, 10, 7), "knee", p.west, at(2026, 11, 3), "completed"),
        (p.harbor, at(2026, 10, 14), "shoulder", p.west, None, "scheduled"),
        (p.lakeside, at(2026, 10, 15), "knee", p.main, None, "lost"),
        (p.bay, at(2026, 10, 20), "knee", p.main, at(2026, 10, 30), "completed"),
        (p.summit, at(2026, 10, 21), "shoulder", p.main, None, "contacted"),
        (p.harbor, at(2026, 11, 1, hour=2), "knee", p.main, None, "received"),
        (p.bay, at(2026, 11, 10), "knee", p.main, None, "received"),
    ]
    for partner, received, line, location, visit, status in rows:
        make_referral(
            session,
            partner,
            received,
            service_line=line,
            location_id=location.id,
            first_visit_at=visit,
            status=status,
        )


def _status_changes(session: Session, p: Practice) -> None:
    for partner, when, before, after in (
        (p.summit, at(2025, 10, 5), "engaged", "dormant"),
        (p.quiet, at(2026, 10, 12), "referral_source", "dormant"),
        (p.bay, at(2026, 10, 3), "prospect", "engaged"),
    ):
        session.add(
            PartnerStatusChange(
                partner_id=partner.id, at=when, from_status=before, to_status=after, cause="rule"
            )
        )
    session.commit()
