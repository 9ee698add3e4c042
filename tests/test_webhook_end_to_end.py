"""The whole loop: messages sent through the local SendGrid, which then posts signed
Event Webhook events to our route in a real uvicorn server, as SendGrid would."""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlmodel import func, select

from campaigns.mail.dispatch import DispatchConfig, Dispatcher
from campaigns.mail.outbox import enqueue_many
from campaigns.mail.transports.keepalive import sendgrid_client
from campaigns.mail.transports.sendgrid_api import SendGridTransport
from crm import settings
from crm.models import EmailEvent, Message, Suppression
from crm.setting_values import SendWindow
from sendgrid_local import LocalServer
from sendgrid_local.events import SIGNATURE_HEADER, TIMESTAMP_HEADER, send
from tests.outbox_helpers import Clock, draft
from tests.public_site import serving
from tests.sendgrid_server import sendgrid_server  # noqa: F401
from ui.public.sendgrid_events import routes

CONFIG = DispatchConfig(
    from_email="outreach@practice.example.org",
    from_name="Summit Sports Medicine",
    window=SendWindow.parse("Mon-Fri 08:00-18:00"),
    frequency_cap=3,
    max_attempts=12,
    batch_size=40,
    workers=2,
    unsubscribe_url=lambda email, key: f"https://x.example.org/u/{key}",
)


@pytest.fixture
def webhook(app_env, sendgrid_server) -> Iterator[LocalServer]:  # noqa: F811
    """The local SendGrid posting to our route, and Liaison trusting its key."""
    with serving(routes()) as host:
        public_key = sendgrid_server.configure_webhook(f"http://{host}/api/sendgrid/events")
        app_env.setenv("LIAISON_SENDGRID_WEBHOOK_PUBLIC_KEY", public_key)
        settings.get.cache_clear()
        yield sendgrid_server


def send_messages(engine, session, now, server, count):  # type: ignore[no-untyped-def]
    drafts = [draft() for _ in range(count)]
    enqueue_many(session, drafts, now)
    session.commit()
    dispatcher = Dispatcher(
        engine,
        lambda: SendGridTransport(sendgrid_client("SG.test", server.url, timeout=5)),
        CONFIG,
        Clock(now),
        random.Random(1),
    )
    assert dispatcher.run_pass().sent == count
    dispatcher.close()
    return [d.idempotency_key for d in drafts]


def message(session, key) -> Message:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(Message).where(Message.idempotency_key == key)).one()


def suppressed(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {row.email: row.reason for row in session.exec(select(Suppression))}


def stored_events(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(func.count()).select_from(EmailEvent)).one()


def test_signed_events_update_the_messages_and_the_suppression_list(engine, session, now, webhook):
    opened, machine, bounced, complained, left = send_messages(engine, session, now, webhook, 5)
    answers = [
        webhook.post_events(opened, ["delivered", "open", "click"]).status,
        webhook.post_events(
            machine, ["delivered", {"event": "open", "sg_machine_open": True}]
        ).status,
        webhook.post_events(bounced, ["bounce"]).status,
        webhook.post_events(complained, ["delivered", "spamreport"]).status,
        webhook.post_events(left, ["delivered", "unsubscribe"]).status,
    ]
    assert answers == [200] * 5
    first, second = message(session, opened), message(session, machine)
    assert (
        None not in (first.delivered_at, first.opened_at, first.clicked_at)
        and first.machine_opened_at is None
    )
    assert second.opened_at is None and second.machine_opened_at is not None
    assert message(session, bounced).bounced_at is not None
    assert suppressed(session) == {
        message(session, bounced).to_email: "bounce",
        message(session, complained).to_email: "spam_report",
        message(session, left).to_email: "unsubscribe",
    }
    assert stored_events(session) == 10


def test_every_event_is_tied_to_the_message_it_is_about(engine, session, now, webhook):
    keys = send_messages(engine, session, now, webhook, 3)
    webhook.post_events("all", ["processed", "delivered"])
    session.expire_all()
    tied = session.exec(
        select(Message.idempotency_key, func.count())
        .join(EmailEvent, EmailEvent.message_id == Message.id)
        .group_by(Message.idempotency_key)
    ).all()
    assert dict(tied) == {key: 2 for key in keys}


def test_replaying_an_accepted_post_is_refused_and_changes_nothing(engine, session, now, webhook):
    (key,) = send_messages(engine, session, now, webhook, 1)
    post = webhook.post_events(key, ["open"])
    session.execute(Message.__table__.update().values(opened_at=None))
    session.commit()
    replay = send(post.url, post.body, post.headers)
    assert (post.status, replay.status) == (200, 409)
    assert message(session, key).opened_at is None and stored_events(session) == 1


def test_an_unsigned_post_is_refused(engine, session, now, webhook):
    (key,) = send_messages(engine, session, now, webhook, 1)
    post = webhook.post_events(key, ["delivered"])
    session.execute(EmailEvent.__table__.delete())
    session.commit()
    unsigned = {
        k: v for k, v in post.headers.items() if k not in (SIGNATURE_HEADER, TIMESTAMP_HEADER)
    }
    assert send(post.url, post.body.replace(b'"delivered"', b'"bounce"'), unsigned).status == 401
    assert stored_events(session) == 0 and suppressed(session) == {}


def test_a_tampered_body_is_refused(engine, session, now, webhook):
    (key,) = send_messages(engine, session, now, webhook, 1)
    post = webhook.post_events(key, ["delivered"])
    tampered = send(post.url, post.body.replace(b'"delivered"', b'"bounce"'), post.headers)
    assert tampered.status == 403
    assert stored_events(session) == 1 and suppressed(session) == {}


def test_with_automatic_events_every_accepted_message_is_marked_delivered(
    engine, session, now, webhook
):
    webhook.configure_webhook(webhook.app.webhook.url, auto=True)
    keys = send_messages(engine, session, now, webhook, 4)
    webhook.flush_events()
    assert [post.status for post in webhook.posts] == [200] * 4
    assert all(message(session, key).delivered_at is not None for key in keys)
    assert stored_events(session) == 8


def _admin(server: LocalServer, path: str, data: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{server.url}/_local/{path}",
        method="POST" if data is not None else "GET",
        data=json.dumps(data).encode() if data is not None else None,
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_another_process_can_configure_the_webhook_and_post_events_over_http(
    engine, session, now, app_env, sendgrid_server
):  # noqa: F811
    (key,) = send_messages(engine, session, now, sendgrid_server, 1)
    with serving(routes()) as host:
        status, answer = _admin(
            sendgrid_server, "webhook", {"url": f"http://{host}/api/sendgrid/events"}
        )
        app_env.setenv("LIAISON_SENDGRID_WEBHOOK_PUBLIC_KEY", answer["public_key"])
        settings.get.cache_clear()
        posted = _admin(
            sendgrid_server, "events", {"message_key": key, "events": ["delivered", "click"]}
        )
    assert status == 200 and posted == (200, {"status": 200, "events": 2})
    assert message(session, key).clicked_at is not None


def test_events_for_a_message_the_server_never_accepted_are_refused_by_the_admin_endpoint(
    sendgrid_server,
):  # noqa: F811
    _admin(sendgrid_server, "webhook", {"url": "http://127.0.0.1:9/api/sendgrid/events"})
    assert _admin(sendgrid_server, "events", {"message_key": "nope", "events": ["open"]})[0] == 404
