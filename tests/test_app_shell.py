"""The app's frame: sign-in, sign-out, settings and the public health route."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from crm import clock, sessions, settings
from crm.models import User
from tests.apptest import app_database, open_app, sign_in, signed_in, texts  # noqa: F401
from tests.factories import make_partner, make_user
from ui import shell
from ui.public.health import health
from ui.routes import SESSION_COOKIE


def test_nothing_but_the_sign_in_form_shows_before_sign_in(app_database, session):
    make_partner(session, name="Elm Family Medicine")
    at = open_app()
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    assert not at.dataframe and not at.sidebar.button
    assert "Elm Family Medicine" not in texts(at) and "Partners" not in texts(at)


def test_a_wrong_password_shows_an_error_and_keeps_the_sign_in_form(app_database, session):
    make_user(session, email="maria@practice.test")
    at = sign_in(open_app(), "maria@practice.test", "not the password")
    assert [e.value for e in at.error] == ["Wrong email or password."]
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    assert not at.dataframe


def test_a_locked_account_is_told_how_long_it_stays_locked(app_database, session):
    make_user(
        session, email="maria@practice.test", locked_until=clock.now() + timedelta(minutes=10)
    )
    at = sign_in(open_app(), "maria@practice.test")
    assert "locked for" in at.error[0].value


def test_signing_in_opens_the_partner_directory(app_database, session):
    make_user(session, email="maria@practice.test")
    make_partner(session, name="Elm Family Medicine")
    at = signed_in("maria@practice.test")
    assert at.title[0].value == "Partners"
    assert list(at.dataframe[0].value["Name"]) == ["Elm Family Medicine"]


def test_the_sidebar_says_who_is_signed_in_and_with_which_role(app_database, session):
    make_user(session, email="lee@practice.test", name="Lee Park", role="viewer")
    at = signed_in("lee@practice.test")
    sidebar = " ".join(str(e.value) for e in [*at.sidebar.markdown, *at.sidebar.caption])
    assert "Lee Park" in sidebar and "lee@practice.test" in sidebar and "Role: Viewer" in sidebar


def test_signing_out_returns_to_the_sign_in_form(app_database, session):
    make_user(session, email="maria@practice.test")
    at = signed_in("maria@practice.test")
    at.sidebar.button(key="sign_out").click().run()
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    assert not at.dataframe


def test_a_deactivated_user_is_signed_out_on_their_next_click(app_database, session):
    make_user(session, email="maria@practice.test")
    at = signed_in("maria@practice.test")
    user = session.exec(select(User).where(User.email == "maria@practice.test")).one()
    user.active = False
    session.commit()
    at.run()
    assert [t.label for t in at.text_input] == ["Email", "Password"]


@pytest.fixture
def browser_cookies(monkeypatch) -> dict[str, str]:
    """The cookies the browser "sent" with the page: AppTest has no browser to send any."""
    cookies: dict[str, str] = {}
    monkeypatch.setattr(shell, "browser_cookies", lambda: cookies)
    return cookies


def _cookie_for(session, email: str, issued=None) -> str:
    user = session.exec(select(User).where(User.email == email)).one()
    token = sessions.start(session, "test-secret-key", user, issued or clock.now())
    session.commit()
    return token


def _posts(at) -> list[str]:
    """The routes the page asks the browser to POST to."""
    return [m for h in at.html for m in re.findall(r'fetch\("([^"]+)"', h.value)]


def test_signing_in_has_the_browser_trade_a_handoff_token_for_the_cookie(app_database, session):
    make_user(session, email="maria@practice.test")
    at = signed_in("maria@practice.test")
    assert _posts(at) == ["/api/session"]
    handoff = re.search(r'token\\": \\"([\w.-]+)', at.html[0].value).group(1)
    user = sessions.verify(session, "test-secret-key", handoff, clock.now(), sessions.HANDOFF)
    assert user.email == "maria@practice.test"
    at.run()
    assert _posts(at) == []


def test_a_new_session_with_a_valid_cookie_opens_signed_in(app_database, session, browser_cookies):
    make_user(session, email="maria@practice.test", name="Maria Lopez")
    browser_cookies[SESSION_COOKIE] = _cookie_for(session, "maria@practice.test")
    at = open_app()
    assert at.title[0].value == "Partners"
    assert "Maria Lopez" in " ".join(str(e.value) for e in at.sidebar.markdown)


def test_an_expired_cookie_shows_the_sign_in_form(app_database, session, browser_cookies):
    make_user(session, email="maria@practice.test")
    browser_cookies[SESSION_COOKIE] = _cookie_for(
        session, "maria@practice.test", clock.now() - timedelta(hours=13)
    )
    at = open_app()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Email", "Password"]


def test_a_forged_cookie_shows_the_sign_in_form(app_database, session, browser_cookies):
    make_user(session, email="maria@practice.test")
    browser_cookies[SESSION_COOKIE] = _cookie_for(session, "maria@practice.test")[:-2] + "xx"
    at = open_app()
    assert [t.label for t in at.text_input] == ["Email", "Password"]


def test_signing_out_deletes_the_cookie_and_does_not_sign_back_in_from_it(
    app_database, session, browser_cookies
):
    make_user(session, email="maria@practice.test")
    browser_cookies[SESSION_COOKIE] = _cookie_for(session, "maria@practice.test")
    at = open_app()
    at.sidebar.button(key="sign_out").click().run()
    assert _posts(at) == ["/api/session/end"]
    at.run()
    assert [t.label for t in at.text_input] == ["Email", "Password"]


def test_a_bad_setting_shows_which_setting_instead_of_a_traceback(app_database, monkeypatch):
    monkeypatch.setenv("LIAISON_TIMEZONE", "Mars/Olympus_Mons")
    settings.get.cache_clear()
    at = open_app()
    assert not at.exception
    assert at.title[0].value == "Liaison cannot start"
    assert "LIAISON_TIMEZONE" in at.code[0].value
    assert not at.text_input


def test_a_database_without_the_schema_says_to_run_the_upgrade(app_database, monkeypatch, tmp_path):
    monkeypatch.setenv("LIAISON_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    settings.get.cache_clear()
    at = open_app()
    assert not at.exception
    assert "crm db upgrade" in at.error[0].value
    assert not at.text_input


def test_the_health_route_says_the_database_answers(app_database):
    response = asyncio.run(health(None))
    assert response.status_code == 200
    assert json.loads(response.body) == {"ok": True, "database": True}


def test_the_health_route_fails_when_the_database_does_not_answer(app_database, monkeypatch):
    monkeypatch.setenv("LIAISON_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    settings.get.cache_clear()
    response = asyncio.run(health(None))
    assert response.status_code == 503
    assert json.loads(response.body) == {"ok": False, "database": False}
