"""Business days skip the practice's holidays and its own closed days: the holiday set
(country and state) and the closed days are kept in the database, read in one query,
and every business-day count (cadence steps, response targets, the monthly report)
is made on that calendar. Changing it moves what is not yet due, never what has run."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from campaigns.cadences.enrolment import enrol
from campaigns.cadences.job import run_planner_pass
from campaigns.cadences.state import project_schedule
from campaigns.reports.job import report_due, send_monthly_reports
from crm import practice_calendar
from crm.access import PermissionDenied
from crm.analytics.filters import Period
from crm.analytics.timing import Targets, target_breaches
from crm.business_days import (
    Calendar,
    add_business_days,
    business_days_between,
    next_business_day,
)
from crm.errors import InvalidInput, NotFound
from crm.models import AuditLog, Enrolment, Message, StepRun, Task
from crm.practice_calendar import (
    HolidaySet,
    add_closed_day,
    calendar_of,
    choose_holidays,
    coming_year,
    remove_closed_day,
)
from crm.referral_queue import CONTACT, deadline_of, referral_queue
from tests.cadence_helpers import SETTINGS, checkin, task, welcome
from tests.conftest import NOW
from tests.factories import make_contact, make_partner, make_referral, make_user
from tests.funnel_data import filters as funnel_filters
from tests.funnel_data import utc

ZONE = ZoneInfo("America/New_York")
US = HolidaySet("US")


def boston(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def run(session, now):  # type: ignore[no-untyped-def]
    report = run_planner_pass(session, SETTINGS, now)
    session.commit()
    return report


def tasks(session) -> list[date]:  # type: ignore[no-untyped-def]
    return list(session.execute(select(Task.due_on).order_by(Task.id)).scalars())


def enrolled(session, marketer, now, steps):  # type: ignore[no-untyped-def]
    cadence = welcome(session, marketer, now, steps=steps)
    partner = make_partner(session, owner_id=marketer.id)
    make_contact(session, partner, role="physician", email="doc@partner.example.org")
    enrol(session, marketer, cadence.id, [partner.id], now=now)
    session.commit()
    return partner


def next_look(session, partner) -> datetime:  # type: ignore[no-untyped-def]
    return session.execute(
        select(Enrolment.next_due_at)
        .where(Enrolment.partner_id == partner.id)
        .execution_options(populate_existing=True)
    ).scalar_one()


# The arithmetic, on a calendar passed in ------------------------------------------------


def test_a_closed_day_is_skipped_like_a_weekend():
    closed = Calendar(closed=frozenset({date(2026, 11, 27)}))
    assert add_business_days(date(2026, 11, 26), 1, closed) == date(2026, 11, 30)


def test_counting_from_a_holiday_counts_from_the_business_day_before_it():
    thanksgiving = calendar_of(US, set(), date(2026, 11, 1))
    assert add_business_days(date(2026, 11, 26), 1, thanksgiving) == date(2026, 11, 27)


def test_a_pause_over_a_holiday_pushes_what_remains_by_the_business_days_only():
    thanksgiving = calendar_of(US, set(), date(2026, 11, 1))
    # Monday 23 to Monday 30 November: Tue, Wed, Fri, Mon (Thanksgiving left out).
    assert business_days_between(date(2026, 11, 23), date(2026, 11, 30), thanksgiving) == 4


def test_the_us_holiday_set_knows_observed_days():
    # Independence Day 2026 is a Saturday: the federal holiday is observed on Friday 3 July.
    federal = calendar_of(US, set(), date(2026, 1, 1))
    assert next_business_day(date(2026, 7, 3), federal) == date(2026, 7, 6)


def test_without_a_holiday_set_only_weekends_are_skipped(session):
    weekends = practice_calendar.load(session, date(2026, 11, 1))
    assert add_business_days(date(2026, 11, 25), 1, weekends) == date(2026, 11, 26)


def test_the_calendar_is_read_in_one_query(session, engine, marketer, now):
    choose_holidays(session, marketer, "US", "MA", now)
    add_closed_day(session, marketer, date(2026, 12, 24), "", now, ZONE)
    add_closed_day(session, marketer, date(2026, 12, 31), "", now, ZONE)
    session.commit()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        loaded = practice_calendar.load(session, date(2026, 12, 1))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31)} <= loaded.closed


# Cadence steps ---------------------------------------------------------------------------


def test_a_step_due_on_the_day_after_thanksgiving_lands_on_the_following_monday(session, marketer):
    thanksgiving_morning = boston(2026, 11, 26, 10)
    choose_holidays(session, marketer, "US", "", thanksgiving_morning)
    add_closed_day(
        session, marketer, date(2026, 11, 27), "Day after Thanksgiving", thanksgiving_morning, ZONE
    )
    session.commit()
    # Enrolled on Wednesday: the email goes that day, the call is one business day later.
    partner = enrolled(session, marketer, boston(2026, 11, 25, 10), [checkin(0), task("call", 1)])
    run(session, boston(2026, 11, 25, 10))
    assert next_look(session, partner) == boston(2026, 11, 30, 9)
    run(session, boston(2026, 11, 27, 9))
    assert tasks(session) == []
    run(session, boston(2026, 11, 30, 9))
    assert tasks(session) == [date(2026, 11, 30)]


def test_a_closed_day_moves_a_pending_step_but_not_the_one_that_ran(session, marketer):
    monday = boston(2026, 11, 23, 10)
    partner = enrolled(session, marketer, monday, [checkin(0), task("call", 2)])
    run(session, monday)
    ran = session.execute(select(StepRun.due_at, StepRun.ran_at)).one()

    add_closed_day(session, marketer, date(2026, 11, 25), "Staff day", monday, ZONE)
    session.commit()
    run(session, boston(2026, 11, 25, 9))  # the call's old day

    assert tasks(session) == []
    assert session.execute(select(StepRun.due_at, StepRun.ran_at)).all() == [ran]
    assert session.execute(select(func.count()).select_from(Message)).scalar_one() == 1
    assert next_look(session, partner) == boston(2026, 11, 26, 9)


def test_removing_a_closed_day_brings_a_pending_step_back_to_its_day(session, marketer):
    monday = boston(2026, 11, 23, 10)
    add_closed_day(session, marketer, date(2026, 11, 25), "", monday, ZONE)
    session.commit()
    partner = enrolled(session, marketer, monday, [checkin(0), task("call", 2)])
    run(session, monday)
    assert next_look(session, partner) == boston(2026, 11, 26, 9)

    remove_closed_day(session, marketer, date(2026, 11, 25), monday)
    session.commit()
    run(session, boston(2026, 11, 25, 9))
    assert tasks(session) == [date(2026, 11, 25)]


# Response targets ----------------------------------------------------------------------


def test_a_response_target_over_july_4th_lands_on_the_next_business_day(session, marketer):
    choose_holidays(session, marketer, "US", "", boston(2025, 7, 1))
    partner = make_partner(session)
    # Thursday 3 July 2025, one business day to call back: Friday is Independence Day.
    referral = make_referral(session, partner, boston(2025, 7, 3, 16))
    session.commit()
    found = {
        q.stage: q
        for q in referral_queue(session, Targets(contact=1), boston(2025, 7, 7, 12), ZONE)
    }
    assert [(e.referral_id, e.deadline, e.overdue) for e in found[CONTACT].entries] == [
        (referral.id, date(2025, 7, 7), False)
    ]
    assert found[CONTACT].overdue == 0


def test_the_deadline_on_the_federal_calendar_skips_the_observed_holiday():
    federal = calendar_of(US, set(), date(2026, 7, 1))
    assert deadline_of(boston(2026, 7, 2, 16), 1, ZONE, federal) == date(2026, 7, 6)


# The monthly report ----------------------------------------------------------------------


def test_the_monthly_report_waits_for_the_first_business_day_after_new_years_day():
    federal = calendar_of(US, set(), date(2027, 1, 1))
    assert report_due(datetime(2027, 1, 1, 8, 0, tzinfo=ZONE), ZONE, federal) is None
    assert report_due(datetime(2027, 1, 4, 7, 0, tzinfo=ZONE), ZONE, federal) == Period.month(
        2026, 12
    )


def test_the_report_job_reads_the_practices_calendar(session, admin):
    choose_holidays(session, admin, "US", "", boston(2026, 12, 1))
    make_user(session, monthly_report=True)
    session.commit()
    assert send_monthly_reports(session, SETTINGS, boston(2027, 1, 1, 8)) == 0


# Choosing and entering -------------------------------------------------------------------


def test_the_coming_year_lists_holidays_and_closed_days_in_date_order(session, marketer, now):
    choose_holidays(session, marketer, "US", "MA", boston(2026, 11, 1))
    add_closed_day(session, marketer, date(2026, 11, 27), "Day after", boston(2026, 11, 1), ZONE)
    days = coming_year(session, date(2026, 11, 1))
    assert [(d.day, d.own) for d in days[:4]] == [
        (date(2026, 11, 11), False),
        (date(2026, 11, 26), False),
        (date(2026, 11, 27), True),
        (date(2026, 12, 25), False),
    ]
    assert days[-1].day <= date(2027, 11, 1)
    assert "Patriots' Day" in [d.name for d in days]


def test_a_country_liaison_does_not_know_is_refused(session, marketer, now):
    with pytest.raises(InvalidInput, match="not a country"):
        choose_holidays(session, marketer, "XX", "", now)


def test_a_state_of_another_country_is_refused(session, marketer, now):
    with pytest.raises(InvalidInput, match="not a state or province of US"):
        choose_holidays(session, marketer, "US", "ON", now)


def test_a_day_already_closed_is_refused(session, marketer):
    add_closed_day(session, marketer, date(2026, 12, 24), "", boston(2026, 12, 1), ZONE)
    with pytest.raises(InvalidInput, match="already a closed day"):
        add_closed_day(session, marketer, date(2026, 12, 24), "", boston(2026, 12, 1), ZONE)


def test_a_past_day_cannot_be_closed(session, marketer):
    with pytest.raises(InvalidInput, match="today or later"):
        add_closed_day(session, marketer, date(2026, 11, 30), "", boston(2026, 12, 1), ZONE)


def test_removing_a_day_that_is_not_closed_says_so(session, marketer, now):
    with pytest.raises(NotFound, match="not one of the practice's closed days"):
        remove_closed_day(session, marketer, date(2026, 12, 24), now)


def test_a_viewer_cannot_change_the_calendar(session, viewer, now):
    with pytest.raises(PermissionDenied):
        choose_holidays(session, viewer, "US", "", now)


def test_choosing_a_holiday_set_is_audited(session, marketer, now):
    choose_holidays(session, marketer, "US", "ma", now)
    session.commit()
    assert practice_calendar.holiday_set(session) == HolidaySet("US", "MA")
    entry = session.execute(select(AuditLog)).scalar_one()
    assert (entry.entity, entry.user_id) == ("practice_calendar", marketer.id)


# The funnel's target breaches --------------------------------------------------------


def contact_breaches(session) -> list[tuple[int, date]]:  # type: ignore[no-untyped-def]
    table = target_breaches(session, funnel_filters(), Targets(contact=1), NOW)
    return [
        (r.referral_id, r.deadline)
        for r in table.itertuples(index=False)
        if r.target.startswith("first contact")
    ]


def test_a_referral_called_back_the_day_after_columbus_day_is_on_time(session, marketer, now):
    choose_holidays(session, marketer, "US", "", now)
    # Friday 9 October 2026; Monday 12 October is Columbus Day.
    make_referral(
        session,
        make_partner(session),
        utc(10, 9, 19),
        contacted_at=utc(10, 13, 15),
        status="contacted",
    )
    session.commit()
    assert contact_breaches(session) == []


def test_the_breach_list_puts_the_deadline_after_the_holiday(session, marketer, now):
    choose_holidays(session, marketer, "US", "", now)
    late = make_referral(
        session,
        make_partner(session),
        utc(10, 9, 19),
        contacted_at=utc(10, 14, 15),
        status="contacted",
    )
    session.commit()
    assert contact_breaches(session) == [(late.id, date(2026, 10, 13))]


def test_a_planner_pass_reads_the_calendar_once_however_many_are_due(session, engine, marketer):
    start = boston(2026, 11, 23, 10)
    add_closed_day(session, marketer, date(2026, 11, 24), "", start, ZONE)
    session.commit()
    one = welcome(session, marketer, start, steps=[task("call", 1)], name="One")
    six = welcome(session, marketer, start, steps=[task("call", 1)], name="Six")
    enrol(session, marketer, one.id, [make_partner(session).id], now=start)
    later = boston(2026, 11, 23, 11)
    enrol(session, marketer, six.id, [make_partner(session).id for _ in range(6)], now=later)
    session.commit()

    def statements_of_a_pass(now):  # type: ignore[no-untyped-def]
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            report = run(session, now)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return report.enrolments, len(statements), sum("practice_calendar" in s for s in statements)

    first, second = statements_of_a_pass(start), statements_of_a_pass(later)
    assert (first[0], second[0]) == (1, 6)
    assert first[1:] == second[1:] and first[2] == 1


def test_the_calendar_page_and_previews_plan_a_step_after_the_closed_day(session, marketer):
    monday = boston(2026, 11, 23, 10)
    add_closed_day(session, marketer, date(2026, 11, 24), "", monday, ZONE)
    session.commit()
    enrolled(session, marketer, monday, [checkin(0), task("call", 1)])
    planned = project_schedule(session, date(2026, 11, 23), date(2026, 11, 30), monday)
    assert [(p.action, p.due_on) for p in planned] == [
        ("email", date(2026, 11, 23)),
        ("call", date(2026, 11, 25)),
    ]
