"""Review requests from visit to provider, through the local SendGrid server (which
checks every request against SendGrid's own spec): the planner enqueues, the real
dispatcher sends, the clock moves on."""

from __future__ import annotations

import random
from datetime import timedelta

from campaigns.mail.dispatch import DispatchConfig, Dispatcher
from campaigns.mail.transports.keepalive import sendgrid_client
from campaigns.mail.transports.sendgrid_api import SendGridTransport
from campaigns.reviews.planner import run_review_pass
from crm.setting_values import SendWindow
from tests.factories import make_patient
from tests.outbox_helpers import Clock
from tests.review_helpers import clinic, make_visit, settings, visited
from tests.sendgrid_server import sendgrid_server  # noqa: F401

SETTINGS = settings()
CONFIG = DispatchConfig(
    from_email="outreach@practice.example.org",
    from_name="Summit Sports Medicine",
    window=SendWindow.parse("Mon-Fri 08:00-18:00"),
    frequency_cap=3,
    max_attempts=12,
    batch_size=40,
    workers=2,
    unsubscribe_url=lambda email, key: f"https://crm.example.org/unsubscribe/{key}",
)


def run_days(engine, session, server, start, days):  # type: ignore[no-untyped-def]
    """Every day at 10:00 New York time: a planner pass, then a dispatch pass."""
    clock = Clock(start)
    dispatcher = Dispatcher(
        engine,
        lambda: SendGridTransport(sendgrid_client("SG.test", server.url, timeout=5)),
        CONFIG,
        clock,
        random.Random(1),
    )
    try:
        for day in range(days):
            clock.now = start + timedelta(days=day)
            run_review_pass(session, SETTINGS, clock.now)
            session.commit()
            dispatcher.run_pass()
    finally:
        dispatcher.close()


def test_a_request_is_sent_once_and_one_reminder_follows(engine, session, now, sendgrid_server):
    visit = visited(session, days_ago=2)
    run_days(engine, session, sendgrid_server, now, 21)
    assert sendgrid_server.deliveries_by_key() == {
        f"review:{visit.id}:request": 1,
        f"review:{visit.id}:reminder": 1,
    }


def test_a_patient_without_consent_never_gets_one(engine, session, now, sendgrid_server):
    visited(session, consent_to_contact=False, consent_at=None, consent_source="")
    run_days(engine, session, sendgrid_server, now, 10)
    assert sendgrid_server.deliveries_by_key() == {}


def test_a_patient_asked_within_the_period_is_not_asked_again(
    engine, session, now, sendgrid_server
):
    location = clinic(session)
    patient = make_patient(session)
    first = make_visit(session, patient, location, now - timedelta(days=2))
    make_visit(session, patient, location, now + timedelta(days=40))
    run_days(engine, session, sendgrid_server, now, 60)
    assert sendgrid_server.deliveries_by_key() == {
        f"review:{first.id}:request": 1,
        f"review:{first.id}:reminder": 1,
    }


def test_the_sent_email_carries_the_signed_link_and_nothing_clinical(
    engine, session, now, sendgrid_server
):
    visited(session, location=clinic(session, name="Main Street Clinic"))
    run_days(engine, session, sendgrid_server, now, 1)
    body = str(sendgrid_server.received[0]).lower()
    assert "https://crm.example.org/r/" in body and "main street clinic" in body
    assert not any(
        word in body for word in ("knee", "surgery", "diagnos", "injur", "specialt", "treatment")
    )


def test_a_request_due_on_a_weekend_waits_for_the_send_window(
    engine, session, now, sendgrid_server
):
    saturday = now + timedelta(days=3)
    visit = visited(session, days_ago=-2)
    run_days(engine, session, sendgrid_server, saturday, 2)
    held = dict(sendgrid_server.deliveries_by_key())
    run_days(engine, session, sendgrid_server, saturday + timedelta(days=2), 1)
    assert (held, sendgrid_server.deliveries_by_key()) == ({}, {f"review:{visit.id}:request": 1})
