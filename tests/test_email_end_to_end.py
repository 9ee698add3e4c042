"""The whole path, enqueue to provider: through the local SendGrid server (which checks
every request against SendGrid's own spec) and a real SMTP server, with faults."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import func, select

from campaigns.mail.dispatch import DispatchConfig, Dispatcher
from campaigns.mail.outbox import enqueue_many
from campaigns.mail.transports.keepalive import sendgrid_client
from campaigns.mail.transports.sendgrid_api import SendGridTransport
from campaigns.mail.transports.smtp import SmtpTransport
from crm.models import Message, Suppression
from crm.setting_values import SendWindow, SmtpConfig
from tests.browser import free_port
from tests.factories import make_contact, make_partner
from tests.outbox_helpers import Clock, draft
from tests.sendgrid_server import sendgrid_server  # noqa: F401

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


def _sendgrid_dispatcher(engine, server, clock, seed=1):
    return Dispatcher(
        engine,
        lambda: SendGridTransport(sendgrid_client("SG.test", server.url, timeout=5)),
        CONFIG,
        clock,
        random.Random(seed),
    )


def _queue(session, now, count, **fields):
    drafts = [draft(**fields) for _ in range(count)]
    enqueue_many(session, drafts, now)
    session.commit()
    return [d.idempotency_key for d in drafts]


def _statuses(session):
    session.expire_all()
    return dict(session.exec(select(Message.status, func.count()).group_by(Message.status)).all())


def _drain(dispatcher, clock, passes=60):
    """Passes until nothing is left to retry, the clock jumping past every backoff."""
    for _ in range(passes):
        report = dispatcher.run_pass()
        if report.claimed == 0 and report.expired_leases == 0:
            clock.now += timedelta(hours=3)
            if dispatcher.run_pass().claimed == 0:
                return
        clock.now += timedelta(minutes=5)


def test_messages_reach_sendgrid_once_each_with_a_valid_payload(
    engine, session, now, sendgrid_server
):
    keys = _queue(session, now, 25)
    dispatcher = _sendgrid_dispatcher(engine, sendgrid_server, Clock(now))
    report = dispatcher.run_pass()
    dispatcher.close()
    assert report.sent == 25
    assert sendgrid_server.deliveries_by_key() == {key: 1 for key in keys}
    body = sendgrid_server.received[0]
    assert body["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert body["categories"] == ["cadence"]


def test_with_a_third_of_requests_refused_every_message_is_delivered_exactly_once(
    engine, session, now, sendgrid_server
):
    keys = _queue(session, now, 60)
    sendgrid_server.set_faults(0.3, ["429", "500"], seed=3, retry_after_s=1)
    clock = Clock(now)
    dispatcher = _sendgrid_dispatcher(engine, sendgrid_server, clock)
    _drain(dispatcher, clock)
    dispatcher.close()
    assert _statuses(session) == {"sent": 60}
    assert sendgrid_server.deliveries_by_key() == {key: 1 for key in keys}


def test_with_dropped_connections_nothing_is_delivered_twice_and_each_ends_sent_or_unknown(
    engine, session, now, sendgrid_server
):
    keys = _queue(session, now, 60)
    sendgrid_server.set_faults(0.3, ["drop_before", "drop_after"], seed=5)
    clock = Clock(now)
    dispatcher = _sendgrid_dispatcher(engine, sendgrid_server, clock)
    _drain(dispatcher, clock)
    dispatcher.close()
    statuses = _statuses(session)
    assert set(statuses) <= {"sent", "unknown"} and sum(statuses.values()) == 60
    assert statuses.get("unknown", 0) > 0
    delivered = sendgrid_server.deliveries_by_key()
    assert set(delivered.values()) == {1} and set(delivered) <= set(keys)
    sent_keys = set(
        session.exec(select(Message.idempotency_key).where(Message.status == "sent")).all()
    )
    assert sent_keys <= set(delivered)


def test_suppressed_and_opted_out_addresses_never_reach_sendgrid(
    engine, session, now, sendgrid_server
):
    session.add(Suppression(email="left@clinic.example.org", reason="unsubscribe", created_at=now))
    session.commit()
    opted_out = make_contact(session, make_partner(session), email_opt_out=True)
    _queue(session, now, 1, to_email="left@clinic.example.org")
    _queue(session, now, 1, to_email=opted_out.email, contact_id=opted_out.id)
    fine = _queue(session, now, 1)
    dispatcher = _sendgrid_dispatcher(engine, sendgrid_server, Clock(now))
    dispatcher.run_pass()
    dispatcher.close()
    assert list(sendgrid_server.deliveries_by_key()) == fine
    assert _statuses(session) == {"sent": 1, "suppressed": 2}


def test_two_dispatchers_at_once_never_deliver_a_key_twice(engine, session, now, sendgrid_server):
    keys = _queue(session, now, 300)
    clock = Clock(now)
    dispatchers = [_sendgrid_dispatcher(engine, sendgrid_server, clock, seed) for seed in (1, 2)]
    errors = []

    def run(dispatcher):
        try:
            dispatcher.run_pass()
        except Exception as error:  # noqa: BLE001  surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(d,)) for d in dispatchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for dispatcher in dispatchers:
        dispatcher.close()
    assert errors == []
    assert sendgrid_server.deliveries_by_key() == {key: 1 for key in keys}
    assert _statuses(session) == {"sent": 300}


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_messages_reach_a_real_smtp_server_with_one_click_unsubscribe(
    engine, session, now, smtp_server
):
    controller, inbox = smtp_server
    keys = _queue(session, now, 3)
    reminder = _queue(session, now, 1, kind="event", transactional=True)
    config = SmtpConfig.parse(f"smtp://127.0.0.1:{controller.port}")
    dispatcher = Dispatcher(engine, lambda: SmtpTransport(config, timeout=5), CONFIG, Clock(now))
    assert dispatcher.run_pass().sent == 4
    dispatcher.close()
    by_key = {m["X-Liaison-Message-Key"]: m for m in inbox.messages}
    assert set(by_key) == set(keys + reminder)
    assert (
        by_key[keys[0]]["List-Unsubscribe"]
        == f"<https://liaison.example.org/unsubscribe/{keys[0]}>"
    )
    assert by_key[reminder[0]]["List-Unsubscribe"] is None
