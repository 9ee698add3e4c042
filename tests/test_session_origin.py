"""Signing in by a cross-site POST: /api/session and /api/session/end, through a real
HTTP server, take a request only from the app's own pages."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from crm import clock, sessions
from crm.models import User
from tests.apptest import app_database  # noqa: F401
from tests.public_site import serving
from ui.routes import public_routes

SECRET = "test-secret-key"  # what app_database sets


@pytest.fixture
def site(app_database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(public_routes()) as address:
        yield address


@pytest.fixture
def attackers_handoff(session, marketer) -> bytes:  # type: ignore[no-untyped-def]
    """A fresh handoff token for an account the attacker controls."""
    user = session.get(User, marketer.id)
    key = sessions.open_session(session, user, clock.now())
    session.commit()
    token = sessions.issue(SECRET, user, clock.now(), sessions.HANDOFF, session_key=key)
    return json.dumps({"token": token}).encode()


def post(site: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str | None]:
    connection = http.client.HTTPConnection(site, timeout=10)
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    answer = (response.status, response.getheader("Set-Cookie"))
    response.read()
    connection.close()
    return answer


def test_a_cross_site_text_plain_sign_in_is_refused_without_a_cookie(site, attackers_handoff):
    answer = post(
        site,
        "/api/session",
        attackers_handoff,
        {
            "Content-Type": "text/plain",
            "Origin": "https://evil.example",
            "Sec-Fetch-Site": "cross-site",
        },
    )
    assert answer == (403, None)


def test_a_sign_in_from_another_origin_is_refused_by_its_origin_alone(site, attackers_handoff):
    assert post(
        site,
        "/api/session",
        attackers_handoff,
        {"Content-Type": "application/json", "Origin": "https://evil.example"},
    ) == (403, None)


def test_a_sign_in_naming_no_origin_is_refused(site, attackers_handoff):
    assert post(site, "/api/session", attackers_handoff, {"Content-Type": "application/json"}) == (
        403,
        None,
    )


def test_a_sign_in_from_the_apps_own_page_sets_the_cookie(site, attackers_handoff):
    status, cookie = post(
        site,
        "/api/session",
        attackers_handoff,
        {
            "Content-Type": "application/json",
            "Origin": f"http://{site}",
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert status == 204 and cookie is not None and cookie.startswith("liaison_session=")


def test_a_cross_site_sign_out_is_refused(site):
    assert post(site, "/api/session/end", b"{}", {"Origin": "https://evil.example"})[0] == 403
