"""Events through the whole path: invitations delivered by the local SendGrid server,
RSVPs by the links in them (the public route in a real HTTP server), reminders
delivered to those who said Yes."""

from __future__ import annotations

import base64
import random
import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from campaigns.events.sending import plan_reminders, send_invitations
from campaigns.events.service import invite
from campaigns.mail.dispatch import DispatchConfig, Dispatcher
from campaigns.mail.transports.keepalive import sendgrid_client
from campaigns.mail.transports.sendgrid_api import SendGridTransport
from crm.setting_values import SendWindow
from crm.settings import Settings
from tests.apptest import app_database  # noqa: F401
from tests.event_helpers import STARTS, invitees, make_event
from tests.factories import make_contact, make_partner
from tests.outbox_helpers import Clock
from tests.sendgrid_server import sendgrid_server  # noqa: F401
from tests.test_events_rsvp_links import reply, site  # noqa: F401

CONFIG = DispatchConfig(
    from_email="outreach@practice.example.org",
    from_name="Summit Sports Medicine",
    window=SendWindow.parse("Mon-Fri 08:00-18:00"),
    frequency_cap=3,
    max_attempts=12,
    batch_size=40,
    workers=4,
    unsubscribe_url=lambda email, key: f"https://liaison.example.org/unsubscribe/{key}",
)
LINK = re.compile(r"https://liaison\.example\.org/rsvp/(\S+)")


def _settings():
    return Settings(
        _env_file=None,
        secret_key="test-secret-key",
        practice_name="Summit Sports Medicine",
        public_url="https://liaison.example.org",
        sender_email="outreach@practice.example.org",
    )


def _deliver(engine, server, now):
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


def _to(body):
    return body["personalizations"][0]["to"][0]["email"]


def _text(body):
    return next(c["value"] for c in body["content"] if c["type"] == "text/plain")


def _rsvp_links(body):
    """(yes link token, no link token) from the delivered invitation."""
    yes, no = LINK.findall(_text(body))
    return yes, no


@pytest.fixture
def invited(engine, session, marketer, now, sendgrid_server):  # type: ignore[no-untyped-def]
    """A two-seat event, four contacts invited, invitations delivered; returns (event, emails in order)."""
    event = make_event(session, marketer, capacity=2, timezone="America/New_York")
    partner = make_partner(session)
    contacts = [make_contact(session, partner) for _ in range(4)]
    invite(session, marketer, event.id, now, contact_ids=[c.id for c in contacts])
    send_invitations(session, _settings(), marketer, event.id, now)
    session.commit()
    _deliver(engine, sendgrid_server, now)
    return event, [c.email for c in contacts]


def _delivered_to(server, email):
    return [body for body in server.received if _to(body) == email]


def test_a_delivered_invitation_carries_a_valid_ics(invited, sendgrid_server):
    event, emails = invited
    (body,) = _delivered_to(sendgrid_server, emails[0])
    (attachment,) = body["attachments"]
    assert attachment["filename"] == "invite.ics" and attachment["type"].startswith("text/calendar")
    calendar = Calendar.from_ical(base64.b64decode(attachment["content"]))
    (vevent,) = calendar.walk("VEVENT")
    assert (str(vevent["UID"]), vevent["SEQUENCE"]) == (f"event-{event.id}@liaison.example.org", 0)
    assert (
        vevent.decoded("DTSTART") == STARTS
        and vevent["DTSTART"].params["TZID"] == "America/New_York"
    )


def test_yes_replies_past_capacity_fill_the_wait_list(invited, sendgrid_server, site, session):
    event, emails = invited
    for email in emails:
        reply(f"{site}/rsvp/{_rsvp_links(_delivered_to(sendgrid_server, email)[0])[0]}")
    answers = sorted(row.rsvp for row in invitees(session, event.id).values())
    assert answers == ["waitlist", "waitlist", "yes", "yes"]


def test_a_no_from_someone_with_a_seat_promotes_the_first_on_the_wait_list(
    invited, sendgrid_server, site, session
):
    event, emails = invited
    links = {email: _rsvp_links(_delivered_to(sendgrid_server, email)[0]) for email in emails}
    for email in emails:
        reply(f"{site}/rsvp/{links[email][0]}")
    reply(f"{site}/rsvp/{links[emails[0]][1]}")
    rsvp = {row.contact_id: row.rsvp for row in invitees(session, event.id).values()}
    by_email = {email: rsvp[contact_id] for email, contact_id in zip(emails, sorted(rsvp))}
    assert by_email == {emails[0]: "no", emails[1]: "yes", emails[2]: "yes", emails[3]: "waitlist"}


def test_reminders_are_delivered_only_to_those_who_said_yes(
    engine, invited, sendgrid_server, site, session
):
    event, emails = invited
    links = {email: _rsvp_links(_delivered_to(sendgrid_server, email)[0]) for email in emails}
    reply(f"{site}/rsvp/{links[emails[0]][0]}")
    reply(f"{site}/rsvp/{links[emails[1]][1]}")
    sendgrid_server.reset()
    week_before = STARTS - timedelta(days=7)
    plan_reminders(session, _settings(), week_before)
    session.commit()
    _deliver(engine, sendgrid_server, week_before)
    assert [_to(body) for body in sendgrid_server.received] == [emails[0]]


def test_the_promoted_person_receives_a_seat_email(engine, invited, sendgrid_server, site, session):
    event, emails = invited
    links = {email: _rsvp_links(_delivered_to(sendgrid_server, email)[0]) for email in emails}
    for email in emails[:3]:
        reply(f"{site}/rsvp/{links[email][0]}")
    reply(f"{site}/rsvp/{links[emails[1]][1]}")
    sendgrid_server.reset()
    _deliver(engine, sendgrid_server, STARTS - timedelta(days=6))
    assert [(_to(body), body["subject"]) for body in sendgrid_server.received] == [
        (emails[2], "A seat opened up: Return-to-Play After Ankle Sprains")
    ]
