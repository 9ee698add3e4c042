"""The outreach page's SQL pieces, answered alike by both databases: a stored time
moved by whole days of 24 hours, exact to the microsecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, cast
from sqlmodel import Session, func, select

from crm.analytics.outreach_sql import bits, shift_days
from crm.clock import as_utc
from crm.models import Referral
from tests.factories import make_partner, make_referral


def test_a_time_moves_by_whole_days_of_24_hours_across_daylight_saving_and_months(
    session: Session,
) -> None:
    partner = make_partner(session)
    received = datetime(
        2026, 11, 20, 23, 59, 59, 999999, tzinfo=UTC
    )  # New York changed clocks on Nov 1
    make_referral(session, partner, received)
    earlier, later = session.exec(
        select(shift_days(Referral.received_at, -90), shift_days(Referral.received_at, 90))
    ).one()
    assert (
        as_utc(earlier)
        == received - timedelta(days=90)
        == datetime(2026, 8, 22, 23, 59, 59, 999999, tzinfo=UTC)
    )
    assert (
        as_utc(later)
        == received + timedelta(days=90)
        == datetime(2027, 2, 18, 23, 59, 59, 999999, tzinfo=UTC)
    )


def test_a_range_from_a_shifted_time_is_exact_to_the_microsecond(session: Session) -> None:
    partner = make_partner(session)
    reached = datetime(2026, 3, 31, 12, 0, 0, 250001, tzinfo=UTC)
    make_referral(session, partner, reached)
    bound = reached - timedelta(days=90)
    for at in (
        bound - timedelta(microseconds=1),
        bound,
        bound + timedelta(microseconds=1),
        reached + timedelta(days=90) - timedelta(microseconds=1),
        reached + timedelta(days=90),
    ):
        make_referral(session, partner, at)
    reach = (
        select(Referral.partner_id, Referral.received_at)
        .where(Referral.received_at == reached)
        .subquery()
    )
    counts = session.exec(
        select(func.count(Referral.id)).where(
            Referral.partner_id == reach.c.partner_id,
            Referral.received_at >= shift_days(reach.c.received_at, -90),
            Referral.received_at < shift_days(reach.c.received_at, 90),
        )
    ).one()
    assert counts == 4  # the bound, just after it, the reach itself, and just before the end


def test_bits_is_the_union_of_a_groups_powers_of_two(session: Session) -> None:
    a, b = make_partner(session), make_partner(session)
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    for partner, months in ((a, (0, 0, 2, 40, 40)), (b, (5,))):
        for month in months:
            make_referral(
                session, partner, start + timedelta(days=month), service_line=str(2**month)
            )
    power = cast(Referral.service_line, BigInteger)
    rows = session.exec(
        select(Referral.partner_id, bits(power))
        .group_by(Referral.partner_id)
        .order_by(Referral.partner_id)
    ).all()
    assert [int(n) for _, n in rows] == [2**0 + 2**2 + 2**40, 2**5]
