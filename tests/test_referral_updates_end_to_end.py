"""A referral logged in the app, acknowledged and updated through the local SendGrid
server: what the partner receives names no patient and no service line."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from campaigns.mail.dispatch import DispatchConfig, Dispatcher
from campaigns.mail.transports.keepalive import sendgrid_client
from campaigns.mail.transports.sendgrid_api import SendGridTransport
from crm.referrals import ReferralInput, create_referral, update_referral
from crm.setting_values import SendWindow
from tests.factories import make_contact, make_patient
from tests.outbox_helpers import Clock
from tests.referral_update_helpers import email_partner, run
from tests.sendgrid_server import sendgrid_server  # noqa: F401

CONFIG = DispatchConfig(
    from_email="outreach@practice.example.org",
    from_name="Summit Sports Medicine",
    window=SendWindow.parse("Mon-Fri 08:00-18:00"),
    frequency_cap=3,
    max_attempts=12,
    batch_size=40,
    workers=2,
    unsubscribe_url=None,
)
FORBIDDEN = ("zebulon", "quimby", "knee")


def _send_all(engine, server, now):
    dispatcher = Dispatcher(
        engine,
        lambda: SendGridTransport(sendgrid_client("SG.test", server.url, timeout=5)),
        CONFIG,
        Clock(now),
        random.Random(1),
    )
    try:
        dispatcher.run_pass()
    finally:
        dispatcher.close()


def _log_referral(session, marketer, now):
    partner = email_partner(session, name="Riverside Family Medicine")
    contact = make_contact(
        session, partner, first_name="Jordan", email="jordan@riverside.example.org"
    )
    patient = make_patient(session, first_name="Zebulon", last_name="Quimby")
    data = ReferralInput(
        received_at=now - timedelta(minutes=3),
        partner_reference="RFM-20931",
        contact_id=contact.id,
        patient_id=patient.id,
        service_line="knee",
    )
    referral = create_referral(session, marketer, partner.id, data, now)
    session.commit()
    return referral, data


def _delivered(server, subject_start):
    return [body for body in server.received if body["subject"].startswith(subject_start)]


def test_the_delivered_acknowledgment_names_no_patient_and_no_service_line(
    engine, session, marketer, now, sendgrid_server
):
    _log_referral(session, marketer, now)
    run(session, now)
    _send_all(engine, sendgrid_server, now)
    [body] = _delivered(sendgrid_server, "We received your referral")
    delivered = json.dumps(body).lower()
    assert (
        [word for word in FORBIDDEN if word in delivered],
        "RFM-20931" in body["subject"],
        all("RFM-20931" in part["value"] for part in body["content"]),
    ) == ([], True, True)


def test_the_delivered_status_update_names_no_patient_and_no_service_line(
    engine, session, marketer, now, sendgrid_server
):
    referral, data = _log_referral(session, marketer, now)
    scheduled = data.model_copy(update={"scheduled_at": now + timedelta(days=2)})
    update_referral(session, marketer, referral.id, scheduled, now + timedelta(hours=1))
    session.commit()
    run(session, now + timedelta(hours=1))
    _send_all(engine, sendgrid_server, now + timedelta(hours=1))
    [body] = _delivered(sendgrid_server, "Referral RFM-20931: Scheduled")
    delivered = json.dumps(body).lower()
    assert (
        [word for word in FORBIDDEN if word in delivered],
        body["personalizations"][0]["to"][0]["email"],
    ) == ([], "jordan@riverside.example.org")
