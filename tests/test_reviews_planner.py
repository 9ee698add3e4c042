"""The review planner: who is asked, when, with which link, and the one reminder."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from campaigns.mail.webhook.events import apply_events
from campaigns.reviews.links import REQUEST, verify
from campaigns.reviews.planner import run_review_pass
from crm.models import Message, Patient, ReviewRequest
from liaison.scheduler.jobs import registered
from tests.factories import make_patient
from tests.review_helpers import (
    KEY,
    REVIEW_PAGE,
    clinic,
    keys,
    make_visit,
    mark_sent,
    requests,
    settings,
    visited,
)

SETTINGS = settings()


def plan(session, now, **fields):  # type: ignore[no-untyped-def]
    report = run_review_pass(session, settings(**fields) if fields else SETTINGS, now)
    session.commit()
    return report


def test_a_completed_visit_past_the_delay_gets_one_request(session, now):
    visit = visited(session, days_ago=2)
    assert plan(session, now).requests == 1
    assert keys(session) == [f"review:{visit.id}:request"]


def test_a_visit_within_the_delay_waits(session, now):
    visited(session, days_ago=0.5)
    assert plan(session, now, review_delay_hours=24).requests == 0


def test_the_delay_is_a_setting(session, now):
    visited(session, days_ago=0.5)
    assert plan(session, now, review_delay_hours=6).requests == 1


def test_a_patient_without_consent_is_never_asked(session, now):
    visited(session, consent_to_contact=False, consent_at=None, consent_source="")
    assert plan(session, now).requests == 0 and requests(session) == []


def test_a_patient_without_an_email_is_not_asked(session, now):
    visited(session, email=None)
    assert plan(session, now).requests == 0


def test_a_visit_not_completed_is_not_asked_about(session, now):
    location = clinic(session)
    make_visit(session, make_patient(session), location, now - timedelta(days=2), completed=False)
    assert plan(session, now).requests == 0


def test_a_location_without_a_review_page_asks_nobody(session, now):
    visited(session, location=clinic(session, review_url=""))
    assert plan(session, now).requests == 0


def test_a_visit_long_past_is_not_asked_about(session, now):
    """Importing years of visits must not email everyone about last year's visit."""
    visited(session, days_ago=60)
    assert plan(session, now).requests == 0


def test_a_patient_asked_within_the_period_is_not_asked_again(session, now):
    location = clinic(session)
    patient = make_patient(session)
    make_visit(session, patient, location, now - timedelta(days=100))
    plan(session, now - timedelta(days=98))
    make_visit(session, patient, location, now - timedelta(days=2))
    assert plan(session, now).requests == 0


def test_after_the_period_the_patient_is_asked_again(session, now):
    location = clinic(session)
    patient = make_patient(session)
    make_visit(session, patient, location, now - timedelta(days=100))
    plan(session, now - timedelta(days=98))
    make_visit(session, patient, location, now - timedelta(days=2))
    assert plan(session, now, review_period_days=90).requests == 1


def test_two_due_visits_of_one_patient_make_one_request_for_the_latest(session, now):
    location = clinic(session)
    patient = make_patient(session)
    make_visit(session, patient, location, now - timedelta(days=3))
    latest = make_visit(session, patient, location, now - timedelta(days=2))
    plan(session, now)
    assert keys(session) == [f"review:{latest.id}:request"]


def test_a_second_pass_adds_nothing(session, now):
    visited(session)
    plan(session, now)
    assert plan(session, now + timedelta(hours=1)).requests == 0 and len(keys(session)) == 1


def test_the_request_is_tied_to_its_message_and_visit_location(session, now):
    visit = visited(session)
    plan(session, now)
    request = requests(session)[0]
    message = session.exec(select(Message)).one()
    assert (request.message_id, request.location_id, request.patient_id, request.status) == (
        message.id,
        visit.location_id,
        visit.patient_id,
        "requested",
    )


def test_the_email_links_to_the_signed_review_route_of_its_request(session, now):
    visited(session)
    plan(session, now)
    message = session.exec(select(Message)).one()
    token = message.text.split("https://crm.example.org/r/")[1].split()[0]
    assert verify(KEY, token).kind == REQUEST and verify(KEY, token).id == requests(session)[0].id
    assert REVIEW_PAGE not in message.text


def test_the_email_carries_no_clinical_detail(session, now):
    """The visit's referral may name a service line; the email never does."""
    visited(session, location=clinic(session, name="Main Street Clinic"))
    plan(session, now)
    message = session.exec(select(Message)).one()
    body = (message.subject + message.text + message.html).lower()
    assert "main street clinic" in body
    assert not any(
        word in body for word in ("knee", "surgery", "diagnos", "injur", "specialt", "treatment")
    )


def test_the_request_waits_for_the_send_window_at_dispatch_not_here(session, now):
    """Marketing, in the location's zone: the dispatcher holds it outside the window."""
    visited(session, location=clinic(session, timezone="America/Denver"))
    plan(session, now)
    message = session.exec(select(Message)).one()
    assert (message.transactional, message.timezone, message.kind) == (
        False,
        "America/Denver",
        "review",
    )


def test_a_reminder_goes_after_the_reminder_delay_when_the_link_was_not_clicked(session, now):
    visit = visited(session)
    plan(session, now)
    mark_sent(session, now)
    assert plan(session, now + timedelta(days=5), review_reminder_days=5).reminders == 1
    assert keys(session)[-1] == f"review:{visit.id}:reminder"


def test_no_reminder_before_the_reminder_delay(session, now):
    visited(session)
    plan(session, now)
    mark_sent(session, now)
    assert plan(session, now + timedelta(days=4), review_reminder_days=5).reminders == 0


def test_no_reminder_once_the_link_was_clicked(session, now):
    visited(session)
    plan(session, now)
    mark_sent(session, now)
    session.execute(ReviewRequest.__table__.update().values(clicked_at=now + timedelta(hours=1)))
    session.commit()
    assert plan(session, now + timedelta(days=6)).reminders == 0


def test_no_reminder_when_the_request_was_never_sent(session, now):
    """Suppressed or failed: there is nothing to remind about."""
    visited(session)
    plan(session, now)
    assert plan(session, now + timedelta(days=6)).reminders == 0


def test_at_most_one_reminder(session, now):
    visited(session)
    plan(session, now)
    mark_sent(session, now)
    plan(session, now + timedelta(days=6))
    mark_sent(session, now + timedelta(days=6))
    assert plan(session, now + timedelta(days=12)).reminders == 0 and len(keys(session)) == 2


def test_the_reminder_is_recorded_on_the_request(session, now):
    visited(session)
    plan(session, now)
    mark_sent(session, now)
    plan(session, now + timedelta(days=6))
    request = requests(session)[0]
    reminder = session.exec(select(Message).where(Message.template == "review_reminder")).one()
    assert (request.status, request.reminded_at, request.reminder_message_id) == (
        "reminded",
        now + timedelta(days=6),
        reminder.id,
    )


def test_no_reminder_to_a_patient_who_withdrew_consent(session, now):
    visited(session)
    plan(session, now)
    mark_sent(session, now)
    session.execute(Patient.__table__.update().values(consent_to_contact=False))
    session.commit()
    assert plan(session, now + timedelta(days=6)).reminders == 0


def test_the_review_planner_runs_before_dispatch():
    jobs = [job.name for job in registered()]
    assert jobs.index("reviews") < jobs.index("dispatch")


def _open_request_email(session, now, **fields):  # type: ignore[no-untyped-def]
    """SendGrid reports an open of the request's email through the Event Webhook."""
    message = session.get(Message, requests(session)[0].message_id)
    apply_events(
        session,
        [
            {
                "event": "open",
                "sg_event_id": f"open-{message.id}",
                "email": message.to_email,
                "timestamp": int(now.timestamp()),
                "message_id": str(message.id),
                "message_key": message.idempotency_key,
                **fields,
            }
        ],
        now,
    )
    session.commit()


def test_no_reminder_once_the_request_was_opened(session, now):
    visited(session)
    plan(session, now)
    mark_sent(session, now)
    _open_request_email(session, now + timedelta(hours=2))
    assert plan(session, now + timedelta(days=6)).reminders == 0


def test_an_apple_mail_privacy_open_still_gets_the_reminder(session, now):
    visited(session)
    plan(session, now)
    mark_sent(session, now)
    _open_request_email(session, now + timedelta(minutes=1), sg_machine_open=True)
    assert plan(session, now + timedelta(days=6)).reminders == 1
