"""Bad bodies on the public routes, through a real HTTP server: too large is a 413 before
parsing, too deep or not JSON is a 400 with a short reason, and nothing is a 500."""

from __future__ import annotations

import http.client
from collections.abc import Iterator

import pytest

from crm import settings
from tests.apptest import app_database  # noqa: F401
from tests.public_site import serving
from tests.test_webhook_route import SIGNER, signed
from ui.public.bodies import SMALL, WEBHOOK
from ui.routes import public_routes

DEEP = b"[" * 20_000 + b"]" * 20_000


@pytest.fixture
def site(app_database, monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LIAISON_SENDGRID_WEBHOOK_PUBLIC_KEY", SIGNER.public_key)
    settings.get.cache_clear()
    with serving(public_routes()) as address:
        yield address


def post(
    site: str, path: str, body: bytes, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    connection = http.client.HTTPConnection(site, timeout=30)
    connection.request(
        "POST",
        path,
        body=body,
        headers={"Content-Type": "application/json", "Origin": f"http://{site}", **(headers or {})},
    )
    response = connection.getresponse()
    answer = (response.status, response.read().decode(errors="replace"))
    connection.close()
    return answer


def test_a_deeply_nested_session_body_is_a_bad_request(site):
    within_the_limit = b"[" * 2_000 + b"]" * 2_000
    assert post(site, "/api/session", within_the_limit) == (400, "JSON nested too deeply")
    assert post(site, "/api/session", DEEP)[0] == 413


def test_a_session_body_that_is_not_json_is_a_bad_request(site):
    assert post(site, "/api/session", b"token=abc")[0] == 400


def test_a_session_body_of_the_wrong_shape_is_a_bad_request(site):
    assert post(site, "/api/session", b'{"token": ["a"]}')[0] == 400


def test_a_session_body_past_the_limit_is_refused_unread(site):
    assert post(site, "/api/session", b'{"token": "' + b"a" * SMALL + b'"}')[0] == 413


def test_a_signed_deeply_nested_webhook_post_is_a_bad_request(site):
    assert post(site, "/api/sendgrid/events", DEEP, signed(DEEP)) == (400, "JSON nested too deeply")


def test_a_webhook_post_past_the_limit_is_refused_unread(site):
    body = b"[" + b'{"event":"open"},' * (WEBHOOK // 17 + 10) + b"{}]"
    assert post(site, "/api/sendgrid/events", body, signed(body))[0] == 413


def test_an_unsubscribe_post_past_the_limit_is_refused(site):
    from campaigns.mail.unsubscribe import make_token

    token = make_token("test-secret-key", "dr@clinic.example.org")
    assert post(site, f"/unsubscribe/{token}", b"x" * (SMALL + 1))[0] == 413
