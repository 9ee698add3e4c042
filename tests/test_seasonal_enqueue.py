"""The seasonal job: approved sends whose day has come go into the outbox, one email
per address per season and phase; drafts never do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from campaigns.calendar import calendar
from campaigns.seasonal import approve, approve_season, enqueue_due, seasonal_job
from crm.models import Message
from liaison.scheduler.jobs import registered
from tests.factories import make_contact, make_partner
from tests.seasonal_helpers import ON_PRE_DAY, PRE_DAY, SETTINGS, YEAR, fall_calendar, send_of


def _messages(session):  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.execute(select(Message).order_by(Message.id)).scalars())


def _school(session, sports="football,soccer", **contact):  # type: ignore[no-untyped-def]
    school = make_partner(session, partner_type="school", sports=sports, name="Lincoln High")
    return make_contact(session, school, role="athletic_trainer", first_name="Dana", **contact)


def _approve_pre(session, actor, sports=("football", "soccer")):  # type: ignore[no-untyped-def]
    approve(
        session,
        actor,
        [send_of(session, sport, "pre").id for sport in sports],
        ON_PRE_DAY,
        zone=SETTINGS.zone,
    )
    session.commit()


def test_a_contact_serving_two_sports_gets_one_pre_season_email_naming_both(session, marketer):
    contact = _school(session)
    fall_calendar(session, marketer)
    _approve_pre(session, marketer)
    enqueue_due(session, SETTINGS, ON_PRE_DAY)
    [message] = _messages(session)
    assert (message.to_email, message.subject) == (
        contact.email,
        "Getting football and soccer athletes ready for the season",
    )


def test_the_email_is_keyed_by_season_phase_and_address(session, marketer):
    contact = _school(session)
    fall_calendar(session, marketer)
    _approve_pre(session, marketer)
    enqueue_due(session, SETTINGS, ON_PRE_DAY)
    assert [m.idempotency_key for m in _messages(session)] == [
        f"seasonal:{YEAR}:fall:pre:{contact.email}"
    ]


def test_a_draft_is_never_enqueued(session, marketer):
    _school(session)
    fall_calendar(session, marketer)
    report = enqueue_due(session, SETTINGS, ON_PRE_DAY + timedelta(days=200))
    assert (report.emails, _messages(session)) == (0, [])


def test_an_approved_send_waits_for_its_day(session, marketer):
    _school(session)
    fall_calendar(session, marketer)
    _approve_pre(session, marketer)
    assert (
        enqueue_due(session, SETTINGS, datetime(2027, 7, 27, 3, 0, tzinfo=UTC)).emails == 0
    )  # 26 July in Boston


def test_the_email_is_due_at_nine_in_the_practices_morning(session, marketer):
    _school(session)
    fall_calendar(session, marketer)
    _approve_pre(session, marketer)
    enqueue_due(session, SETTINGS, ON_PRE_DAY)
    [message] = _messages(session)
    assert message.next_attempt_at.replace(tzinfo=None) == datetime(2027, 7, 27, 13, 0)  # 09:00 EDT


def test_only_the_approved_sports_are_named(session, marketer):
    _school(session)
    fall_calendar(session, marketer)
    _approve_pre(session, marketer, sports=("soccer",))
    enqueue_due(session, SETTINGS, ON_PRE_DAY)
    [message] = _messages(session)
    assert message.subject == "Getting soccer athletes ready for the season"


def test_an_enqueued_send_is_marked_sent_and_never_enqueued_again(session, marketer):
    _school(session)
    fall_calendar(session, marketer)
    _approve_pre(session, marketer)
    enqueue_due(session, SETTINGS, ON_PRE_DAY)
    again = enqueue_due(session, SETTINGS, ON_PRE_DAY + timedelta(hours=1))
    session.expire_all()
    assert (again.sends, send_of(session, "football", "pre").status, len(_messages(session))) == (
        0,
        "sent",
        1,
    )


def test_a_sport_approved_later_does_not_send_a_second_email_for_the_phase(session, marketer):
    _school(session)
    fall_calendar(session, marketer)
    _approve_pre(session, marketer, sports=("football",))
    enqueue_due(session, SETTINGS, ON_PRE_DAY)
    _approve_pre(session, marketer, sports=("soccer",))
    enqueue_due(session, SETTINGS, ON_PRE_DAY + timedelta(hours=1))
    assert len(_messages(session)) == 1


def test_the_signature_is_the_partners_liaison(session, marketer):
    school = make_partner(session, partner_type="school", sports="football", owner_id=marketer.id)
    make_contact(session, school)
    fall_calendar(session, marketer, sports=("football",))
    _approve_pre(session, marketer, sports=("football",))
    enqueue_due(session, SETTINGS, ON_PRE_DAY)
    [message] = _messages(session)
    assert f"Best regards,\n{marketer.name}" in message.text


def test_an_enqueued_send_leaves_the_calendars_planned_sends(session, marketer):
    fall_calendar(session, marketer)
    approve_season(session, marketer, YEAR, "fall", ON_PRE_DAY, zone=SETTINGS.zone)
    enqueue_due(session, SETTINGS, ON_PRE_DAY)
    items = calendar(session, PRE_DAY, PRE_DAY, ON_PRE_DAY, ZoneInfo("America/New_York")).items
    assert [i for i in items if i.source == "seasonal"] == []


def test_the_seasonal_job_plans_before_dispatch():
    order = [job.name for job in registered()]
    assert order.index("seasonal") < order.index("dispatch")


def test_the_scheduled_job_enqueues_in_its_own_transaction(engine, session, marketer):
    _school(session)
    fall_calendar(session, marketer)
    _approve_pre(session, marketer)
    result = seasonal_job(engine, SETTINGS, lambda: ON_PRE_DAY)
    assert (result, len(_messages(session))) == ("seasonal sends: 2, emails: 1", 1)
