"""The event's emails: invitations with a calendar file, updates, cancellations,
reminders to those who said Yes, follow-ups after the event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from campaigns.events.sending import (
    plan_reminders,
    reminder_due,
    send_cancellation,
    send_follow_ups,
    send_invitations,
    send_update,
    tell_promoted,
)
from campaigns.events.service import EventInput, cancel_event, invite, record_rsvp, update_event
from campaigns.mail.outbox import decode_attachments
from crm.models import Message
from liaison.scheduler.jobs import registered
from tests.event_helpers import SETTINGS, STARTS, invitees, make_event
from tests.factories import make_contact, make_partner


def _event_with(session, marketer, now, count, **fields):
    event = make_event(session, marketer, **fields)
    partner = make_partner(session)
    contacts = [make_contact(session, partner) for _ in range(count)]
    invite(session, marketer, event.id, now, contact_ids=[c.id for c in contacts])
    session.commit()
    return event, contacts


def _messages(session, like):
    return session.exec(
        select(Message).where(Message.idempotency_key.like(like)).order_by(Message.id)
    ).all()


def _calendar(message):
    (attachment,) = decode_attachments(message.attachments)
    return Calendar.from_ical(attachment.content)


def test_each_invitee_gets_one_invitation_with_a_calendar_request(session, marketer, now):
    event, contacts = _event_with(session, marketer, now, 2)
    assert send_invitations(session, SETTINGS, marketer, event.id, now) == 2
    message = _messages(session, f"event:{event.id}:invitation:%")[0]
    calendar = _calendar(message)
    assert calendar["METHOD"] == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.id}@liaison.example.org"
    assert vevent.decoded("DTSTART") == STARTS


def test_the_invitation_times_carry_the_events_time_zone(session, marketer, now):
    event, _ = _event_with(session, marketer, now, 1, timezone="America/Chicago")
    send_invitations(session, SETTINGS, marketer, event.id, now)
    (vevent,) = _calendar(_messages(session, f"event:{event.id}:invitation:%")[0]).walk("VEVENT")
    assert vevent["DTSTART"].params["TZID"] == "America/Chicago"


def test_the_invitation_carries_yes_and_no_links(session, marketer, now):
    event, _ = _event_with(session, marketer, now, 1)
    send_invitations(session, SETTINGS, marketer, event.id, now)
    message = _messages(session, f"event:{event.id}:invitation:%")[0]
    assert message.text.count("https://liaison.example.org/rsvp/") == 2


def test_sending_invitations_again_reaches_only_people_invited_since(session, marketer, now):
    event, _ = _event_with(session, marketer, now, 2)
    send_invitations(session, SETTINGS, marketer, event.id, now)
    partner = make_partner(session)
    make_contact(session, partner)
    invite(session, marketer, event.id, now, partner_ids=[partner.id])
    assert send_invitations(session, SETTINGS, marketer, event.id, now) == 1


def test_an_update_reaches_everyone_invited_with_the_new_sequence(session, marketer, now):
    event, contacts = _event_with(session, marketer, now, 3)
    data = EventInput(
        title=event.title,
        kind=event.kind,
        starts_at=STARTS + timedelta(hours=1),
        ends_at=STARTS + timedelta(hours=2),
        location_id=event.location_id,
    )
    update_event(session, marketer, event.id, data, now)
    assert send_update(session, SETTINGS, marketer, event.id, now) == 3
    (vevent,) = _calendar(_messages(session, f"event:{event.id}:update:1:%")[0]).walk("VEVENT")
    assert vevent["SEQUENCE"] == 1


def test_an_update_is_transactional(session, marketer, now):
    event, _ = _event_with(session, marketer, now, 1)
    send_update(session, SETTINGS, marketer, event.id, now)
    assert _messages(session, f"event:{event.id}:update:%")[0].transactional


def test_a_cancellation_sends_a_calendar_cancel(session, marketer, now):
    event, _ = _event_with(session, marketer, now, 2)
    cancel_event(session, marketer, event.id, now)
    assert send_cancellation(session, SETTINGS, marketer, event.id, now) == 2
    calendar = _calendar(_messages(session, f"event:{event.id}:cancel:1:%")[0])
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_reminders_go_only_to_those_who_said_yes(session, marketer, now):
    event, contacts = _event_with(session, marketer, now, 4)
    people = invitees(session, event.id)
    record_rsvp(session, people[contacts[0].id].id, "yes", now)
    record_rsvp(session, people[contacts[1].id].id, "no", now)
    assert plan_reminders(session, SETTINGS, STARTS - timedelta(days=7)) == 1
    assert [m.contact_id for m in _messages(session, f"event:{event.id}:reminder-7d:%")] == [
        contacts[0].id
    ]


def test_reminders_are_transactional(session, marketer, now):
    event, contacts = _event_with(session, marketer, now, 1)
    record_rsvp(session, invitees(session, event.id)[contacts[0].id].id, "yes", now)
    plan_reminders(session, SETTINGS, STARTS - timedelta(days=1))
    assert _messages(session, f"event:{event.id}:reminder-1d:%")[0].transactional


def test_every_kind_of_event_email_renders(session, marketer, now):
    """A rendering failure would leave a failed row instead of an email."""
    event, contacts = _event_with(session, marketer, now, 1)
    record_rsvp(session, invitees(session, event.id)[contacts[0].id].id, "yes", now)
    send_invitations(session, SETTINGS, marketer, event.id, now)
    plan_reminders(session, SETTINGS, STARTS - timedelta(days=1))
    send_update(session, SETTINGS, marketer, event.id, now)
    send_follow_ups(
        session,
        SETTINGS,
        marketer,
        event.id,
        "https://practice.example.org/slides",
        STARTS + timedelta(days=1),
    )
    cancel_event(session, marketer, event.id, now)
    send_cancellation(session, SETTINGS, marketer, event.id, now)
    messages = _messages(session, f"event:{event.id}:%")
    assert [(m.template, m.status) for m in messages] == [
        ("event_invitation", "queued"),
        ("event_reminder", "queued"),
        ("event_update", "queued"),
        ("event_follow_up_missed", "queued"),
        ("event_cancelled", "queued"),
    ]


def test_a_reminder_is_planned_once_however_often_the_job_runs(session, marketer, now):
    event, contacts = _event_with(session, marketer, now, 1)
    record_rsvp(session, invitees(session, event.id)[contacts[0].id].id, "yes", now)
    plan_reminders(session, SETTINGS, STARTS - timedelta(days=6))
    assert plan_reminders(session, SETTINGS, STARTS - timedelta(days=5)) == 0


@pytest.mark.parametrize(
    ("before", "due"),
    [
        (timedelta(days=8), None),
        (timedelta(days=7), "reminder-7d"),
        (timedelta(days=2), "reminder-7d"),
        (timedelta(hours=24), "reminder-1d"),
        (timedelta(hours=1), "reminder-1d"),
        (timedelta(0), None),
    ],
)
def test_which_reminder_is_due(before, due):
    assert reminder_due(STARTS, STARTS - before) == due


def test_the_reminder_job_is_registered_before_dispatch():
    jobs = {job.name: job.order for job in registered()}
    assert jobs["event_reminders"] < jobs["dispatch"]


def test_follow_ups_thank_attendees_and_recap_for_the_rest(session, marketer, now):
    from campaigns.events.attendance import check_in

    event, contacts = _event_with(session, marketer, now, 2)
    people = invitees(session, event.id)
    check_in(session, marketer, event.id, [people[contacts[0].id].id], now)
    send_follow_ups(
        session,
        SETTINGS,
        marketer,
        event.id,
        "https://practice.example.org/slides",
        STARTS + timedelta(days=1),
    )
    templates = {
        m.contact_id: m.template for m in _messages(session, f"event:{event.id}:follow-up:%")
    }
    assert templates == {
        contacts[0].id: "event_follow_up",
        contacts[1].id: "event_follow_up_missed",
    }


def test_follow_ups_wait_until_the_event_is_over(session, marketer, now):
    event, _ = _event_with(session, marketer, now, 1)
    with pytest.raises(ValueError, match="after the event"):
        send_follow_ups(
            session, SETTINGS, marketer, event.id, "https://practice.example.org/slides", now
        )


def test_the_person_promoted_from_the_wait_list_is_told_with_a_calendar_entry(
    session, marketer, now
):
    event, contacts = _event_with(session, marketer, now, 2, capacity=1)
    people = invitees(session, event.id)
    record_rsvp(session, people[contacts[0].id].id, "yes", now)
    record_rsvp(session, people[contacts[1].id].id, "yes", now)
    promoted = record_rsvp(session, people[contacts[0].id].id, "no", now).promoted_id
    assert tell_promoted(session, SETTINGS, promoted, now) == 1
    (message,) = _messages(session, f"event:{event.id}:seat:%")
    assert (message.contact_id, message.status, message.transactional) == (
        contacts[1].id,
        "queued",
        True,
    )
    assert _calendar(message)["METHOD"] == "REQUEST"


def test_the_reminder_job_plans_in_its_own_transaction(engine, session, marketer, now):
    from campaigns.events.sending import reminders_job

    event, contacts = _event_with(session, marketer, now, 1)
    record_rsvp(session, invitees(session, event.id)[contacts[0].id].id, "yes", now)
    session.commit()
    assert (
        reminders_job(engine, SETTINGS, lambda: STARTS - timedelta(hours=20))
        == "event reminders: 1"
    )
    assert len(_messages(session, f"event:{event.id}:reminder-1d:%")) == 1
