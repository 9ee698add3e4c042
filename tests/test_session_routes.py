"""/api/session and /api/session/end: the routes that set and delete the sign-in cookie."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from starlette.applications import Starlette

from crm import clock, sessions, settings
from crm.models import User
from tests.apptest import app_database  # noqa: F401
from ui.routes import SESSION_COOKIE, public_routes

SECRET = "test-secret-key"  # what app_database sets


def post(path: str, body: bytes) -> tuple[int, list[str]]:
    """The status and Set-Cookie headers of one POST through the routes, as the app serves them."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
        ],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
    }
    asyncio.run(Starlette(routes=public_routes())(scope, receive, send))
    start = sent[0]
    return start["status"], [
        value.decode() for name, value in start["headers"] if name == b"set-cookie"
    ]


def trade(token: str) -> tuple[int, list[str]]:
    return post("/api/session", json.dumps({"token": token}).encode())


def handoff(session, actor, issued=None) -> str:
    user, at = session.get(User, actor.id), issued or clock.now()
    key = sessions.open_session(session, user, at)
    session.commit()
    return sessions.issue(SECRET, user, at, sessions.HANDOFF, session_key=key)


def cookie_value(header: str) -> str:
    return header.split(";", 1)[0].split("=", 1)[1]


def test_a_handoff_token_is_traded_for_an_http_only_lax_session_cookie(
    app_database, session, marketer
):
    status, cookies = trade(handoff(session, marketer))
    assert status == 204 and len(cookies) == 1
    flags = [part.strip().lower() for part in cookies[0].split(";")]
    assert cookies[0].startswith(f"{SESSION_COOKIE}=")
    assert {"httponly", "samesite=lax", "path=/", "max-age=43200"} <= set(flags)
    assert "secure" not in flags
    assert sessions.verify(session, SECRET, cookie_value(cookies[0]), clock.now()).id == marketer.id


def test_the_cookie_is_secure_when_the_app_is_served_over_https(
    app_database, session, marketer, monkeypatch
):
    monkeypatch.setenv("LIAISON_PUBLIC_URL", "https://crm.practice.example.org")
    settings.get.cache_clear()
    _, cookies = trade(handoff(session, marketer))
    assert "secure" in [part.strip().lower() for part in cookies[0].split(";")]


def test_a_handoff_token_is_traded_only_once(app_database, session, marketer):
    token = handoff(session, marketer)
    assert trade(token)[0] == 204
    assert trade(token) == (403, [])


def test_a_handoff_token_older_than_a_minute_sets_no_cookie(app_database, session, marketer):
    assert trade(handoff(session, marketer, issued=clock.now() - timedelta(minutes=2))) == (403, [])


def test_a_session_token_cannot_stand_in_for_a_handoff_token(app_database, session, marketer):
    token = sessions.start(session, SECRET, session.get(User, marketer.id), clock.now())
    session.commit()
    assert trade(token) == (403, [])


def test_a_request_without_a_token_is_refused(app_database):
    assert post("/api/session", b"")[0] == 400
    assert post("/api/session", b'["token"]')[0] == 400


def test_ending_the_session_deletes_the_cookie(app_database):
    status, cookies = post("/api/session/end", b"")
    assert status == 204 and len(cookies) == 1
    flags = [part.strip().lower() for part in cookies[0].split(";")]
    assert cookie_value(cookies[0]) in ("", '""') and "max-age=0" in flags and "httponly" in flags
