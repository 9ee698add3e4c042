"""The SQL pieces both databases must answer alike: months and days in the practice's
zone, days between two times, and interpolated percentiles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case
from sqlmodel import Session, select

from crm.analytics import sql
from crm.analytics.filters import Filters, Period
from crm.models import Partner, Referral
from tests.factories import make_partner, make_referral

NEW_YORK = ZoneInfo("America/New_York")


def test_a_referral_late_on_the_last_evening_of_october_counts_in_october(session: Session) -> None:
    partner = make_partner(session)
    make_referral(
        session, partner, datetime(2026, 11, 1, 2, 30, tzinfo=UTC)
    )  # 21:30 Oct 31 in Boston
    offset = Filters(Period.month(2026, 10), zone=NEW_YORK).offset_minutes
    month, day = session.exec(
        select(sql.month(Referral.received_at, offset), sql.day(Referral.received_at, offset))
    ).one()
    assert (month, day) == ("2026-10", "2026-10-31")


def test_days_between_counts_fractions_of_a_day(session: Session) -> None:
    partner = make_partner(session)
    received = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    make_referral(session, partner, received, contacted_at=received + timedelta(hours=36))
    assert (
        session.exec(select(sql.days_between(Referral.received_at, Referral.contacted_at))).one()
        == 1.5
    )


def test_percentiles_interpolate_between_ranks_per_group(session: Session) -> None:
    a, b = make_partner(session), make_partner(session)
    start = datetime(2026, 10, 1, 12, tzinfo=UTC)
    for days in (1, 2, 3, 10):
        make_referral(session, a, start, contacted_at=start + timedelta(days=days))
    make_referral(session, b, start, contacted_at=start + timedelta(days=4))
    make_referral(session, b, start)  # still open: left out
    source = select(
        Referral.partner_id.label("partner_id"),
        sql.days_between(Referral.received_at, Referral.contacted_at).label("d"),
    ).subquery()
    rows = {r.partner_id: r for r in session.execute(sql.percentiles(source, "d", ["partner_id"]))}
    assert rows[a.id].n == 4 and round(rows[a.id].p50, 6) == 2.5 and round(rows[a.id].p90, 6) == 7.9
    assert rows[b.id].n == 1 and rows[b.id].p50 == 4.0 and rows[b.id].p90 == 4.0


def test_a_month_compares_with_the_month_before_and_the_same_month_last_year() -> None:
    october = Period.month(2026, 10)
    assert october.previous() == Period(date(2026, 9, 1), date(2026, 10, 1))
    assert october.last_year() == Period(date(2025, 10, 1), date(2025, 11, 1))
    quarter = Period(date(2026, 7, 1), date(2026, 10, 1))
    assert quarter.previous() == Period(date(2026, 4, 1), date(2026, 7, 1))
    assert quarter.months() == ["2026-07", "2026-08", "2026-09"]
    assert Period.last_full_months(date(2026, 11, 25), 3) == quarter.__class__(
        date(2026, 8, 1), date(2026, 11, 1)
    )


def test_milliseconds_are_exact_so_their_differences_are_exact_durations(session: Session) -> None:
    partner = make_partner(session)
    received = datetime(2026, 10, 5, 9, 0, 0, 123000, tzinfo=UTC)
    make_referral(
        session,
        partner,
        received,
        contacted_at=received + timedelta(days=1, hours=12, milliseconds=7),
    )
    at, took = session.exec(
        select(
            sql.milliseconds(Referral.received_at),
            sql.milliseconds(Referral.contacted_at) - sql.milliseconds(Referral.received_at),
        )
    ).one()
    assert at == int(received.timestamp() * 1000) == 1_791_190_800_123
    assert took == 36 * 3_600_000 + 7


def contacted_after(
    session: Session, hours_for_a: tuple[int, ...]
) -> tuple[Partner, Partner, Partner]:
    """a: referrals contacted after these hours, one open and one lost; b: one open and
    one lost, no contact at all; c: one contacted after 96 hours."""
    a, b, c = make_partner(session), make_partner(session), make_partner(session)
    start = datetime(2026, 10, 1, 12, tzinfo=UTC)
    for hours in hours_for_a:
        make_referral(session, a, start, contacted_at=start + timedelta(hours=hours))
    make_referral(session, a, start)
    make_referral(session, a, start, status="lost")
    make_referral(session, b, start, status="lost")  # b has no value at all
    make_referral(session, b, start)
    make_referral(session, c, start, contacted_at=start + timedelta(hours=96))
    return a, b, c


def test_percentiles_of_counts_with_a_tally_keep_the_groups_and_rows_without_a_value(
    session: Session,
) -> None:
    a, b, c = contacted_after(session, (24, 48, 48, 240))
    open_ = case((Referral.status == "lost", 0), else_=1)
    source = select(
        Referral.partner_id.label("partner_id"),
        sql.days_between(Referral.received_at, Referral.contacted_at).label("d"),
        case((Referral.contacted_at.is_(None), open_), else_=0).label("open"),
    ).subquery()
    rows = {
        r.partner_id: r
        for r in session.execute(
            sql.percentiles_of_counts(source, "d", ["partner_id"], tally="open")
        )
    }
    assert (rows[a.id].n, rows[a.id].open, round(rows[a.id].p50, 6), round(rows[a.id].p90, 6)) == (
        4,
        1,
        2.0,
        7.6,
    )
    assert (rows[b.id].n, rows[b.id].open, rows[b.id].p50, rows[b.id].p90) == (0, 1, None, None)
    assert (rows[c.id].n, rows[c.id].open, rows[c.id].p50, rows[c.id].p90) == (1, 0, 4.0, 4.0)
    plain = {r.partner_id: r for r in session.execute(sql.percentiles(source, "d", ["partner_id"]))}
    assert {k: (r.n, round(r.p50, 9), round(r.p90, 9)) for k, r in plain.items()} == {
        k: (rows[k].n, round(rows[k].p50, 9), round(rows[k].p90, 9)) for k in (a.id, c.id)
    }


def test_percentiles_of_buckets_answer_as_the_interpolated_percentiles_do(session: Session) -> None:
    partners = [make_partner(session) for _ in range(3)]
    start = datetime(2026, 10, 1, 12, tzinfo=UTC)
    for n, minutes in enumerate(
        (5, 17, 17, 30, 2, 90, 44, 17, 61, 23, 3, 5, 5, 44, 120, 7, 8, 9, 300, 31, -20)
    ):
        make_referral(
            session, partners[n % 3], start, contacted_at=start + timedelta(minutes=minutes)
        )
    make_referral(session, partners[0], start)  # open: left out
    source = select(
        Referral.partner_id.label("partner_id"),
        (sql.milliseconds(Referral.contacted_at) - sql.milliseconds(Referral.received_at)).label(
            "ms"
        ),
    ).subquery()

    def answers(function, **width) -> list[tuple]:  # type: ignore[no-untyped-def]
        query = function(source, "ms", ["partner_id"], percents=(10, 25, 50, 90), **width).order_by(
            "partner_id"
        )
        return [tuple(round(v, 6) for v in row) for row in session.execute(query)]

    expected = answers(sql.percentiles)
    assert len(expected) == 3
    for width in (60_000, 600_000, 1_800_000, 3_600_000, 86_400_000):
        assert answers(sql.percentiles_of_buckets, width=width) == expected, width


def test_percentiles_of_buckets_with_a_tally_as_percentiles_of_counts(session: Session) -> None:
    a, b, c = contacted_after(session, (24, 48, 48, 240, 25, 26))
    open_ = case((Referral.status == "lost", 0), else_=1)
    source = select(
        Referral.partner_id.label("partner_id"),
        (sql.milliseconds(Referral.contacted_at) - sql.milliseconds(Referral.received_at)).label(
            "ms"
        ),
        case((Referral.contacted_at.is_(None), open_), else_=0).label("open"),
    ).subquery()

    def answers(function, **width) -> list[tuple]:  # type: ignore[no-untyped-def]
        query = function(source, "ms", ["partner_id"], tally="open", **width).order_by("partner_id")
        return [tuple(row) for row in session.execute(query)]

    expected = answers(sql.percentiles_of_counts)
    assert [row[1:3] for row in expected] == [(6, 1), (0, 1), (1, 0)]
    assert answers(sql.percentiles_of_buckets, width=86_400_000) == expected
    assert answers(sql.percentiles_of_buckets, width=3_600_000) == expected
