"""Sessions end on the server: after sign-out, a password change, deactivation or
"sign out everywhere", the old cookie signs no one in, in a new browser session or an
open one; and a session left idle past the limit ends."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from crm import clock, sessions
from crm.access import SYSTEM
from crm.models import User
from crm.users import update_user
from tests.apptest import app_database, open_app, signed_in  # noqa: F401
from tests.factories import make_user
from tests.public_site import serving
from tests.test_app_shell import browser_cookies  # noqa: F401
from ui.routes import SESSION_COOKIE, public_routes

SECRET = "test-secret-key"  # what app_database sets
SIGN_IN_FORM = ["Email", "Password"]


@pytest.fixture
def maria(app_database, session) -> User:  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role="admin")
    return session.exec(select(User).where(User.email == "maria@practice.test")).one()


@pytest.fixture
def cookie(session, maria) -> str:  # type: ignore[no-untyped-def]
    """The session cookie a browser holds after Maria signed in."""
    token = sessions.start(session, SECRET, maria, clock.now())
    session.commit()
    return token


def opens_signed_in(browser_cookies, cookie: str) -> bool:  # type: ignore[no-untyped-def]
    """A new browser session presenting the cookie: signed in, or the sign-in form."""
    browser_cookies[SESSION_COOKIE] = cookie
    at = open_app()
    assert not at.exception, at.exception
    return [t.label for t in at.text_input] != SIGN_IN_FORM


@pytest.fixture
def site(app_database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(public_routes()) as address:
        yield address


def test_the_cookie_opens_a_signed_in_session_until_something_ends_it(browser_cookies, cookie):
    assert opens_signed_in(browser_cookies, cookie)


def test_after_sign_out_a_copy_of_the_old_cookie_is_refused(browser_cookies, cookie):
    browser_cookies[SESSION_COOKIE] = cookie
    open_app().sidebar.button(key="sign_out").click().run()
    assert not opens_signed_in(browser_cookies, cookie)


def test_the_sign_out_route_ends_the_session_the_cookie_names(site, browser_cookies, cookie):
    connection = http.client.HTTPConnection(site, timeout=10)
    connection.request(
        "POST",
        "/api/session/end",
        body=b"{}",
        headers={"Cookie": f"{SESSION_COOKIE}={cookie}", "Origin": f"http://{site}"},
    )
    response = connection.getresponse()
    assert response.status == 204 and f"{SESSION_COOKIE}=" in (
        response.getheader("Set-Cookie") or ""
    )
    connection.close()
    assert not opens_signed_in(browser_cookies, cookie)


def test_after_a_password_change_the_old_cookie_is_refused(session, browser_cookies, maria, cookie):
    update_user(session, SYSTEM, maria.id, clock.now(), password="a brand new passphrase")
    session.commit()
    assert not opens_signed_in(browser_cookies, cookie)


def test_after_deactivation_the_old_cookie_is_refused(session, browser_cookies, maria, cookie):
    make_user(session, email="second.admin@practice.test", role="admin")
    update_user(session, SYSTEM, maria.id, clock.now(), active=False)
    session.commit()
    assert not opens_signed_in(browser_cookies, cookie)


def test_an_admins_sign_out_everywhere_ends_an_open_session_on_its_next_click(session, maria):
    make_user(session, email="lee@practice.test", role="viewer")
    lee = signed_in("lee@practice.test")
    admin = signed_in("maria@practice.test").switch_page("ui/pages/users.py").run()
    lee_id = session.exec(select(User.id).where(User.email == "lee@practice.test")).one()
    admin.selectbox(key="user_pick").set_value(lee_id).run()
    admin.button(key=f"user_sign_out_everywhere_{lee_id}").click().run()
    assert not admin.exception, admin.exception
    lee.run()
    assert [t.label for t in lee.text_input] == SIGN_IN_FORM


def test_signing_out_everywhere_from_my_account_ends_my_other_browsers(
    browser_cookies, maria, cookie
):
    mine = signed_in("maria@practice.test").switch_page("ui/pages/account.py").run()
    mine.button(key="account_sign_out_everywhere").click().run()
    assert not opens_signed_in(browser_cookies, cookie)


def test_a_session_left_idle_past_two_hours_is_refused(browser_cookies, cookie, practice_clock):
    practice_clock(clock.now() + timedelta(hours=2, minutes=1))
    assert not opens_signed_in(browser_cookies, cookie)


def test_the_idle_limit_is_a_setting(browser_cookies, cookie, practice_clock, monkeypatch):
    from crm import settings

    monkeypatch.setenv("LIAISON_SESSION_IDLE_MINUTES", "240")
    settings.get.cache_clear()
    practice_clock(clock.now() + timedelta(hours=3))
    assert opens_signed_in(browser_cookies, cookie)
