"""Seasonal sends through the whole path to the local SendGrid-compatible server (which
checks every request against SendGrid's own spec): generated, approved, enqueued by the
scheduler's job, dispatched."""

from __future__ import annotations

import random

from campaigns.mail.dispatch import Dispatcher
from campaigns.mail.transports.keepalive import sendgrid_client
from campaigns.mail.transports.sendgrid_api import SendGridTransport
from campaigns.seasonal import approve_season, enqueue_due
from tests.factories import make_contact, make_partner
from tests.outbox_helpers import Clock
from tests.seasonal_helpers import ON_PRE_DAY, SETTINGS, YEAR, fall_calendar
from tests.sendgrid_server import sendgrid_server  # noqa: F401
from tests.test_email_end_to_end import CONFIG


def _send_due(engine, session, server):  # type: ignore[no-untyped-def]
    """The scheduler's pass on the pre-season day: plan, then dispatch."""
    enqueue_due(session, SETTINGS, ON_PRE_DAY)
    session.commit()
    dispatcher = Dispatcher(
        engine,
        lambda: SendGridTransport(sendgrid_client("SG.test", server.url, timeout=5)),
        CONFIG,
        Clock(ON_PRE_DAY),
        random.Random(1),
    )
    try:
        return dispatcher.run_pass()
    finally:
        dispatcher.close()


def _to(body):  # type: ignore[no-untyped-def]
    return [person["email"] for p in body["personalizations"] for person in p["to"]]


def test_a_contact_serving_football_and_soccer_gets_one_pre_season_email(
    engine, session, marketer, sendgrid_server
):
    school = make_partner(session, partner_type="school", sports="football,soccer")
    contact = make_contact(session, school, role="athletic_trainer")
    fall_calendar(session, marketer)
    approve_season(session, marketer, YEAR, "fall", ON_PRE_DAY, zone=SETTINGS.zone)
    session.commit()
    _send_due(engine, session, sendgrid_server)
    [body] = sendgrid_server.received
    assert (_to(body), body["subject"]) == (
        [contact.email],
        "Getting football and soccer athletes ready for the season",
    )


def test_an_unapproved_seasonal_send_never_goes_out(engine, session, marketer, sendgrid_server):
    school = make_partner(session, partner_type="school", sports="football,soccer")
    make_contact(session, school, role="athletic_trainer")
    fall_calendar(session, marketer)
    report = _send_due(engine, session, sendgrid_server)
    assert (report.claimed, sendgrid_server.received) == (0, [])
