"""Sending the quarter's partner survey: to a segment's contacts of the chosen roles, at
most once a quarter per contact, and its one reminder after seven days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.surveys.sending import due_reminders_select, send_reminders
from crm.access import PermissionDenied
from crm.errors import InvalidInput
from crm.surveys import record_answers
from liaison.scheduler.jobs import registered
from tests.factories import make_contact, make_partner
from tests.survey_helpers import (
    mark_sent,
    requests,
    send,
    settings,
    static_segment,
    survey_messages,
)


def _office(session, **fields):  # type: ignore[no-untyped-def]
    partner = make_partner(session, **fields)
    doctor = make_contact(session, partner, role="physician")
    manager = make_contact(session, partner, role="office_manager")
    return partner, doctor, manager


def test_the_chosen_roles_of_the_segment_get_this_quarters_survey(session, marketer, now):
    partner, doctor, manager = _office(session)
    outsider = make_partner(session)
    make_contact(session, outsider, role="physician")
    segment = static_segment(session, marketer, [partner])

    report = send(session, marketer, segment, roles=("physician",))

    assert (report.quarter, report.queued, report.skipped) == ("2026-Q4", 1, 0)
    (request,) = requests(session)
    assert (request.contact_id, request.partner_id, request.quarter) == (
        doctor.id,
        partner.id,
        "2026-Q4",
    )
    (message,) = survey_messages(session)
    assert message.to_email == doctor.email
    assert message.idempotency_key == request.message_key == f"survey:2026-Q4:{doctor.id}"
    assert "Communication" in message.text and message.subject.startswith("How are we doing")
    assert message.text.count("/p/survey/") == 26  # five scores for five questions, and the page


def test_sending_the_same_quarter_again_asks_nobody_twice_and_says_how_many_were_skipped(
    session, marketer, now
):
    partner, doctor, manager = _office(session)
    segment = static_segment(session, marketer, [partner])
    send(session, marketer, segment, roles=("physician",))

    again = send(session, marketer, segment, roles=("physician", "office_manager"), now=now)

    assert (again.queued, again.skipped) == (1, 1)  # only the office manager is new
    assert sorted(r.contact_id for r in requests(session)) == sorted([doctor.id, manager.id])
    assert len(survey_messages(session)) == 2
    third = send(session, marketer, segment, roles=("physician", "office_manager"))
    assert (third.queued, third.skipped) == (0, 2)
    assert len(survey_messages(session)) == 2


def test_the_next_quarter_asks_again(session, marketer, now):
    partner, doctor, _ = _office(session)
    segment = static_segment(session, marketer, [partner])
    send(session, marketer, segment)
    later = send(session, marketer, segment, now=now + timedelta(days=45))
    assert (later.quarter, later.queued) == ("2027-Q1", 1)
    assert [r.quarter for r in requests(session)] == ["2026-Q4", "2027-Q1"]


def test_contacts_without_an_address_are_counted_not_asked(session, marketer):
    partner = make_partner(session)
    make_contact(session, partner, role="physician", email=None)
    segment = static_segment(session, marketer, [partner])
    report = send(session, marketer, segment)
    assert (report.queued, report.without_email) == (0, 1)
    assert requests(session) == []


def test_a_viewer_cannot_send_and_roles_must_be_chosen(session, marketer, viewer):
    partner, _, _ = _office(session)
    segment = static_segment(session, marketer, [partner])
    with pytest.raises(PermissionDenied):
        send(session, viewer, segment)
    with pytest.raises(InvalidInput):
        send(session, marketer, segment, roles=())
    with pytest.raises(InvalidInput):
        send(session, marketer, segment, roles=("astronaut",))
    session.rollback()
    assert requests(session) == []


def test_one_reminder_goes_after_seven_days_to_unanswered_requests_only(session, marketer, now):
    first, doctor, _ = _office(session)
    second, other_doctor, _ = _office(session)
    segment = static_segment(session, marketer, [first, second])
    send(session, marketer, segment)
    mark_sent(session, now)
    answered = next(r for r in requests(session) if r.contact_id == other_doctor.id)
    record_answers(session, answered.id, {"capacity": 4}, None, now, settings().zone)
    session.commit()

    assert send_reminders(session, settings(), now + timedelta(days=6, hours=23)) == 0
    assert send_reminders(session, settings(), now + timedelta(days=7)) == 1
    session.commit()
    assert send_reminders(session, settings(), now + timedelta(days=8)) == 0
    session.commit()

    reminders = [m for m in survey_messages(session) if m.idempotency_key.endswith(":reminder")]
    assert [m.to_email for m in reminders] == [doctor.email]
    assert reminders[0].subject.startswith("Reminder:")
    reminded = {r.contact_id: r.reminded_at for r in requests(session)}
    assert reminded == {doctor.id: now + timedelta(days=7), other_doctor.id: None}


def test_no_reminder_for_a_survey_whose_email_never_went_out(session, marketer, now):
    partner, _, _ = _office(session)
    send(session, marketer, static_segment(session, marketer, [partner]))
    assert send_reminders(session, settings(), now + timedelta(days=8)) == 0


def test_the_reminder_job_is_registered_before_dispatch():
    jobs = {job.name: job.order for job in registered()}
    assert jobs["survey_reminders"] < jobs["dispatch"]


def test_the_reminder_pass_reads_the_due_index_not_the_table(engine, now):
    if engine.dialect.name != "sqlite":
        return  # the plan is SQLite's to show; PostgreSQL chooses by its statistics
    statement = due_reminders_select(now).compile(
        dialect=engine.dialect, compile_kwargs={"literal_binds": True}
    )
    with engine.connect() as connection:
        plan = " ".join(
            str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}")
        )
    assert "ix_survey_request_due" in plan, plan
    assert "SCAN survey_request" not in plan, plan
