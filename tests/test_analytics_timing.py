"""Days from receipt to each stage, and the referrals that missed their targets, on the
fixed data set of tests/funnel_data.py (worked out by hand) and on a few single
referrals around a weekend. Now is Wednesday 25 November 2026, 10:00 in New York."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from crm import settings
from crm.analytics import sql, timing
from crm.analytics.filters import Period
from crm.analytics.timing import Targets, breach_counts, target_breaches, time_to_stage
from crm.models import Referral
from tests.conftest import NOW
from tests.factories import make_partner, make_referral
from tests.funnel_data import AUGUST, filters, funnel_data, utc

CONTACT = "first contact within 1 business day"
SCHEDULE = "scheduled within 3 business days"
VISIT = "first visit within 10 business days"


def timings(table) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [
        (g, s, n, None if m is None else round(m, 4), None if p is None else round(p, 4), o)
        for g, s, n, m, p, o in table.itertuples(index=False)
    ]


def breaches(session: Session, targets: Targets = Targets()) -> list[tuple]:
    table = target_breaches(session, filters(), targets, NOW)
    return [
        (r.referral_id, r.target, r.deadline, r.late_by_days) for r in table.itertuples(index=False)
    ]


# Time to stage


def test_time_to_stage_counts_only_referrals_that_reached_it_and_the_ones_still_open(
    session: Session,
) -> None:
    funnel_data(session)
    assert timings(time_to_stage(session, filters())) == [
        ("All", "first contact", 4, 2.5208, 3.5167, 1),
        ("All", "scheduled", 2, 4.3958, 4.8125, 2),
        ("All", "first visit", 2, 10.3958, 10.8125, 2),
    ]


def test_time_to_stage_by_location_keeps_a_location_whose_referrals_reached_nothing(
    session: Session,
) -> None:
    funnel_data(session)
    assert timings(time_to_stage(session, filters(), by="location")) == [
        ("(no location)", "first contact", 0, None, None, 0),
        ("(no location)", "scheduled", 0, None, None, 0),
        ("(no location)", "first visit", 0, None, None, 0),
        ("Main Street", "first contact", 2, 3.3333, 3.7, 1),
        ("Main Street", "scheduled", 1, 3.875, 3.875, 2),
        ("Main Street", "first visit", 1, 9.875, 9.875, 2),
        ("Riverside", "first contact", 2, 1.1667, 1.9667, 0),
        ("Riverside", "scheduled", 1, 4.9167, 4.9167, 0),
        ("Riverside", "first visit", 1, 10.9167, 10.9167, 0),
    ]


def test_time_to_stage_by_partner_type(session: Session) -> None:
    funnel_data(session)
    table = time_to_stage(session, filters(), by="partner_type")
    assert timings(table[table["stage"] == "first contact"]) == [
        ("Orthopedics", "first contact", 0, None, None, 1),
        ("Physical therapy", "first contact", 2, 1.1667, 1.9667, 0),
        ("Primary care", "first contact", 2, 3.3333, 3.7, 0),
    ]


def test_time_to_stage_of_an_empty_period_has_no_times(session: Session) -> None:
    funnel_data(session)
    assert timings(time_to_stage(session, filters(AUGUST))) == [
        ("All", "first contact", 0, None, None, 0),
        ("All", "scheduled", 0, None, None, 0),
        ("All", "first visit", 0, None, None, 0),
    ]


# Local days and weekdays in SQL


def test_a_local_day_number_and_its_weekday_follow_the_practice_calendar(session: Session) -> None:
    make_referral(
        session, make_partner(session), utc(10, 6, 2, 30)
    )  # 22:30 on Monday 5 October in New York
    day, weekday = session.exec(
        select(
            sql.local_day_number(Referral.received_at, -240),
            sql.weekday(sql.local_day_number(Referral.received_at, -240)),
        )
    ).one()
    assert (date(1970, 1, 1) + timedelta(days=day), weekday) == (date(2026, 10, 5), 0)


# Targets


def test_targets_come_from_the_settings(app_env: pytest.MonkeyPatch) -> None:
    app_env.setenv("LIAISON_TARGET_CONTACT_BUSINESS_DAYS", "2")
    app_env.setenv("LIAISON_TARGET_SCHEDULE_BUSINESS_DAYS", "0")
    settings.get.cache_clear()
    targets = Targets.from_settings(settings.get())
    assert targets == Targets(contact=2, schedule=0, first_visit=10)
    assert [targets.label(s) for s in ("first contact", "scheduled", "first visit")] == [
        "first contact within 2 business days",
        "scheduled the same business day",
        VISIT,
    ]


def test_a_friday_afternoon_referral_contacted_on_monday_is_on_time(session: Session) -> None:
    make_referral(
        session,
        make_partner(session),
        utc(10, 2, 19),
        contacted_at=utc(10, 5, 15),
        status="contacted",
    )
    assert CONTACT not in [target for _, target, _, _ in breaches(session)]


def test_a_friday_afternoon_referral_contacted_on_tuesday_is_late(session: Session) -> None:
    referral = make_referral(
        session,
        make_partner(session),
        utc(10, 2, 19),
        contacted_at=utc(10, 6, 14),
        status="contacted",
    )
    assert (referral.id, CONTACT, date(2026, 10, 5), 1) in breaches(session)


def test_a_contact_late_on_monday_evening_is_monday_on_the_practice_calendar(
    session: Session,
) -> None:
    make_referral(
        session,
        make_partner(session),
        utc(10, 2, 19),
        contacted_at=utc(10, 6, 3),
        status="contacted",
    )
    assert CONTACT not in [
        target for _, target, _, _ in breaches(session)
    ]  # 23:00 Monday in New York


@pytest.mark.parametrize("received", [utc(10, 3, 16), utc(10, 4, 16)], ids=["saturday", "sunday"])
def test_a_weekend_referral_is_due_as_if_received_on_friday(
    session: Session, received: datetime
) -> None:
    partner = make_partner(session)
    make_referral(session, partner, received, contacted_at=utc(10, 5, 20), status="contacted")
    tuesday = make_referral(
        session, partner, received, contacted_at=utc(10, 6, 14), status="contacted"
    )
    late = [
        (referral_id, deadline)
        for referral_id, target, deadline, _ in breaches(session)
        if target == CONTACT
    ]
    assert late == [(tuesday.id, date(2026, 10, 5))]


def test_a_same_day_target_on_a_weekend_receipt_is_due_on_monday(session: Session) -> None:
    make_referral(
        session,
        make_partner(session),
        utc(10, 3, 16),
        contacted_at=utc(10, 5, 20),
        status="contacted",
    )
    same_day = Targets(contact=0)
    assert same_day.label("first contact") not in [
        target for _, target, _, _ in breaches(session, same_day)
    ]


def test_an_open_referral_breaks_a_target_once_its_deadline_has_passed(session: Session) -> None:
    partner = make_partner(session)
    overdue = make_referral(
        session, partner, utc(11, 23, 15)
    )  # Monday: contact due by the end of Tuesday
    make_referral(
        session, partner, utc(11, 24, 15)
    )  # Tuesday: due by the end of today, not late yet
    table = target_breaches(session, filters(Period.month(2026, 11)), Targets(), NOW)
    contact = table[table["target"] == CONTACT]
    assert list(zip(contact["referral_id"], contact["happened_at"], contact["late_by_days"])) == [
        (overdue.id, None, 1)
    ]


def test_a_first_visit_booked_ahead_has_not_happened_yet(session: Session) -> None:
    referral = make_referral(
        session,
        make_partner(session),
        utc(10, 28, 14),
        contacted_at=utc(10, 28, 16),
        scheduled_at=utc(10, 29, 14),
        first_visit_at=NOW + timedelta(days=5),
        status="completed",
    )
    assert breaches(session) == [(referral.id, VISIT, date(2026, 11, 11), 14)]


def test_a_lost_referral_is_not_late_for_stages_it_never_reached(session: Session) -> None:
    make_referral(
        session, make_partner(session), utc(10, 5, 14), status="lost", lost_reason="Insurance"
    )
    assert breaches(session) == []


def test_a_lost_referral_is_still_judged_on_a_stage_it_reached_late(session: Session) -> None:
    referral = make_referral(
        session,
        make_partner(session),
        utc(10, 5, 14),
        contacted_at=utc(10, 8, 14),
        status="lost",
        lost_reason="Insurance",
    )
    assert breaches(session) == [(referral.id, CONTACT, date(2026, 10, 6), 2)]


def test_the_breaches_of_the_fixed_set_latest_first(session: Session) -> None:
    data = funnel_data(session)
    ids = {referral.id: name for name, referral in data.referrals.items()}
    assert [(ids[r], t, d, late) for r, t, d, late in breaches(session)] == [
        ("r2", SCHEDULE, date(2026, 10, 7), 49),
        ("r2", VISIT, date(2026, 10, 16), 40),
        ("r6", CONTACT, date(2026, 10, 30), 26),
        ("r6", SCHEDULE, date(2026, 11, 3), 22),
        ("r6", VISIT, date(2026, 11, 12), 13),
        ("r2", CONTACT, date(2026, 10, 5), 1),
        ("r3", SCHEDULE, date(2026, 10, 7), 1),
    ]


def test_a_breach_names_the_partner_location_and_when_the_stage_happened(session: Session) -> None:
    data = funnel_data(session)
    table = target_breaches(session, filters(), Targets(), NOW)
    row = table[(table["referral_id"] == data.referrals["r3"].id)].iloc[0]
    assert (row["partner"], row["location"], row["received_at"], row["happened_at"]) == (
        "Birch Physical Therapy",
        "Riverside",
        utc(10, 3, 16),
        utc(10, 8, 14),
    )


def test_the_breach_list_stops_at_the_limit(session: Session) -> None:
    funnel_data(session)
    assert len(target_breaches(session, filters(), Targets(), NOW, limit=3)) == 3


def test_breach_counts_judge_referrals_whose_stage_happened_or_is_overdue(session: Session) -> None:
    funnel_data(session)
    table = breach_counts(session, filters(), Targets(), NOW)
    assert [tuple(r) for r in table.itertuples(index=False)] == [
        (CONTACT, 2, 5, 0.4),
        (SCHEDULE, 3, 4, 0.75),
        (VISIT, 2, 4, 0.5),
    ]


def test_breach_counts_of_an_empty_period_have_no_share(session: Session) -> None:
    funnel_data(session)
    table = breach_counts(session, filters(AUGUST), Targets(), NOW)
    assert [tuple(r) for r in table.itertuples(index=False)] == [
        (CONTACT, 0, 0, None),
        (SCHEDULE, 0, 0, None),
        (VISIT, 0, 0, None),
    ]


def test_percentiles_of_counts_answer_as_the_interpolated_percentiles_do(session: Session) -> None:
    partners = [make_partner(session), make_partner(session), make_partner(session)]
    start = utc(10, 1, 12)
    for n, hours in enumerate((5, 17, 17, 30, 2, 90, 44, 17, 61, 23, 3, 5, 5, 44)):
        make_referral(session, partners[n % 3], start, contacted_at=start + timedelta(hours=hours))
    make_referral(session, partners[0], start)  # open: left out by both
    source = select(
        Referral.partner_id.label("partner_id"),
        sql.days_between(Referral.received_at, Referral.contacted_at).label("d"),
    ).subquery()

    def answers(function) -> list[tuple]:  # type: ignore[no-untyped-def]
        query = function(source, "d", ["partner_id"], percents=(25, 50, 90)).order_by("partner_id")
        return [tuple(round(v, 9) for v in row) for row in session.execute(query)]

    assert answers(sql.percentiles_of_counts) == answers(sql.percentiles)
    assert len(answers(sql.percentiles)) == 3


@pytest.mark.parametrize("by", [None, "location", "partner_type"])
@pytest.mark.parametrize("period", ["october", "august"])
def test_the_page_reads_the_times_counts_and_breaches_in_one_statement_with_the_same_answers(
    session: Session, period: str, by: str | None
) -> None:
    funnel_data(session)
    chosen = filters() if period == "october" else filters(AUGUST)
    together = timing.timings(session, chosen, Targets(), NOW, by=by, limit=4)
    assert together.time_to_stage.equals(time_to_stage(session, chosen, by=by))
    assert together.breach_counts.equals(breach_counts(session, chosen, Targets(), NOW))
    assert together.breaches.equals(target_breaches(session, chosen, Targets(), NOW, limit=4))
    assert len(together.breaches) == (4 if period == "october" else 0)
