"""POST /api/sendgrid/events: what it answers to signed, unsigned, stale, replayed and
malformed posts. Signed here with a key of our own, as the local SendGrid signs."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlmodel import func, select
from starlette.applications import Starlette

from crm import clock, settings
from crm.models import EmailEvent
from sendgrid_local.events import SIGNATURE_HEADER, TIMESTAMP_HEADER, Signer
from ui.routes import public_routes

SIGNER = Signer()
EVENTS = [
    {
        "event": "delivered",
        "email": "dr@clinic.example.org",
        "timestamp": 1764082800,
        "sg_event_id": "e-1",
    }
]


@pytest.fixture
def configured(app_env):  # type: ignore[no-untyped-def]
    app_env.setenv("LIAISON_SENDGRID_WEBHOOK_PUBLIC_KEY", SIGNER.public_key)
    app_env.setenv("LIAISON_SENDGRID_WEBHOOK_MAX_AGE_SECONDS", "600")
    settings.get.cache_clear()
    return app_env


def signed(body: bytes, signer: Signer = SIGNER, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(clock.now().timestamp() if at is None else at))
    return {SIGNATURE_HEADER: signer.sign(timestamp, body), TIMESTAMP_HEADER: timestamp}


def body_of(events) -> bytes:  # type: ignore[no-untyped-def]
    return json.dumps(events, separators=(",", ":")).encode() + b"\r\n"


def post(body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """One POST through the app's public routes, as st.App serves them."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/sendgrid/events",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
    }
    asyncio.run(Starlette(routes=public_routes())(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def stored(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(EmailEvent)).scalar_one()


def test_a_signed_fresh_post_is_applied_and_answered_with_counts(configured, engine):
    body = body_of(EVENTS)
    status, answer = post(body, signed(body))
    assert (status, json.loads(answer)) == (
        200,
        {"received": 1, "stored": 1, "matched": 0, "suppressed": 0},
    )
    assert stored(engine) == 1


def test_without_a_configured_key_nothing_is_accepted(app_env, engine):
    app_env.delenv("LIAISON_SENDGRID_WEBHOOK_PUBLIC_KEY", raising=False)
    settings.get.cache_clear()
    body = body_of(EVENTS)
    assert post(body, signed(body))[0] == 503 and stored(engine) == 0


def test_a_post_without_the_signature_header_is_unauthorised(configured, engine):
    body = body_of(EVENTS)
    assert post(body, {TIMESTAMP_HEADER: signed(body)[TIMESTAMP_HEADER]})[0] == 401


def test_a_post_without_the_timestamp_header_is_unauthorised(configured, engine):
    body = body_of(EVENTS)
    assert post(body, {SIGNATURE_HEADER: signed(body)[SIGNATURE_HEADER]})[0] == 401


def test_a_post_signed_by_another_key_is_forbidden(configured, engine):
    body = body_of(EVENTS)
    assert post(body, signed(body, Signer()))[0] == 403 and stored(engine) == 0


def test_a_tampered_body_is_forbidden(configured, engine):
    body = body_of(EVENTS)
    assert (
        post(body.replace(b"delivered", b"bounce"), signed(body))[0] == 403 and stored(engine) == 0
    )


def test_a_garbage_signature_is_forbidden_not_an_error(configured, engine):
    body = body_of(EVENTS)
    headers = signed(body) | {SIGNATURE_HEADER: "%%% not base64 %%%"}
    assert post(body, headers)[0] == 403


def test_a_body_that_is_not_utf8_is_forbidden_not_an_error(configured, engine):
    body = b"\xff\xfe[]"
    assert post(body, signed(body))[0] == 403


def test_a_post_signed_longer_ago_than_the_tolerance_is_forbidden(configured, engine):
    body = body_of(EVENTS)
    assert (
        post(body, signed(body, at=clock.now().timestamp() - 700))[0] == 403 and stored(engine) == 0
    )


def test_a_post_signed_too_far_in_the_future_is_forbidden(configured, engine):
    body = body_of(EVENTS)
    assert post(body, signed(body, at=clock.now().timestamp() + 700))[0] == 403


def test_a_replayed_post_is_refused_as_a_conflict(configured, engine):
    body = body_of(EVENTS)
    headers = signed(body)
    assert [post(body, headers)[0], post(body, headers)[0]] == [200, 409]
    assert stored(engine) == 1


def test_a_signed_body_that_is_not_a_json_array_is_a_bad_request(configured, engine):
    body = json.dumps(EVENTS[0]).encode()
    assert post(body, signed(body))[0] == 400


def test_a_signed_body_that_is_not_json_is_a_bad_request(configured, engine):
    body = b"delivered, probably"
    assert post(body, signed(body))[0] == 400
