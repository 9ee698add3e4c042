"""Unsubscribe links: the signed token, and the public pages served without sign-in
(run here in a real uvicorn server, as st.App serves them)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from itsdangerous import URLSafeSerializer
from sqlmodel import select

from campaigns.mail import suppressions
from campaigns.mail.unsubscribe import SALT, make_token, unsubscribe_url, verify
from crm.models import Suppression
from crm.settings import Settings
from tests.apptest import app_database  # noqa: F401
from tests.public_site import serving
from ui.public.unsubscribe import routes

KEY = "test-secret-key"  # what app_database puts in LIAISON_SECRET_KEY


def test_a_token_names_the_address_it_was_made_for():
    """The link's token is all the public route needs: whose address, from which message."""
    wanted = verify(KEY, make_token(KEY, "Dr.Lee@Partner.example.org", "newsletter:7"))
    assert (wanted.email, wanted.message_key) == ("dr.lee@partner.example.org", "newsletter:7")


def test_the_url_is_under_the_public_address():
    """The List-Unsubscribe header and the footer link point at the app's public URL."""
    settings = Settings(_env_file=None, secret_key=KEY, public_url="https://crm.example.com/")
    url = unsubscribe_url(settings, "a@b.org", "k")
    assert url.startswith("https://crm.example.com/unsubscribe/")
    assert verify(KEY, url.rsplit("/", 1)[1]).email == "a@b.org"


def test_a_token_signed_with_another_key_is_refused():
    """A forged token: someone who does not know our secret key."""
    assert verify(KEY, make_token("some-other-key", "a@b.org")) is None


def test_an_altered_token_is_refused():
    """One character changed anywhere breaks the signature."""
    token = make_token(KEY, "a@b.org")
    altered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    assert verify(KEY, altered) is None


def test_a_token_with_another_address_put_in_is_refused():
    """The address cannot be swapped while keeping the signature of the first."""
    payload, signature = make_token(KEY, "a@b.org").split(".")
    other_payload = make_token(KEY, "victim@b.org").split(".")[0]
    assert verify(KEY, f"{other_payload}.{signature}") is None


def test_a_token_signed_for_another_purpose_is_refused():
    """Same key, different salt (a session cookie, say) is not an unsubscribe token."""
    token = URLSafeSerializer(KEY, salt="liaison.session").dumps(["a@b.org", ""])
    assert verify(KEY, token) is None
    assert SALT != "liaison.session"


# --- the public routes -----------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: str


def call(
    url: str, data: bytes | None = None, content_type: str = "application/x-www-form-urlencoded"
) -> Answer:
    request = urllib.request.Request(
        url,
        data=data,
        method="POST" if data is not None else "GET",
        headers={"Content-Type": content_type} if data is not None else {},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode())


@pytest.fixture
def site(app_database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The public routes in a real HTTP server, over the test database."""
    with serving(routes()) as address:
        yield f"http://{address}"


def suppressed(session) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return [
        (s.email, s.reason, s.source)
        for s in session.exec(select(Suppression).order_by(Suppression.email))
    ]


ONE_CLICK = b"List-Unsubscribe=One-Click"


def test_opening_the_link_shows_a_confirmation_and_suppresses_nothing(site, session):
    """Mail scanners open every link: only the button (a POST) unsubscribes."""
    answer = call(f"{site}/unsubscribe/{make_token(KEY, 'dr.lee@partner.example.org')}")
    assert answer.status == 200
    assert '<form method="post">' in answer.body and "d•••@partner.example.org" in answer.body
    assert suppressed(session) == []


def test_the_confirmation_button_suppresses_the_address(site, session):
    """The page's form posts back to the same URL, with an empty body."""
    call(f"{site}/unsubscribe/{make_token(KEY, 'dr.lee@partner.example.org')}", data=b"")
    assert suppressed(session) == [("dr.lee@partner.example.org", "unsubscribe", "link")]


def test_a_one_click_post_suppresses_at_once(site, session):
    """RFC 8058: the mailbox provider posts List-Unsubscribe=One-Click, no page in between."""
    answer = call(
        f"{site}/unsubscribe/{make_token(KEY, 'dr.lee@partner.example.org', 'news:7')}",
        data=ONE_CLICK,
    )
    assert answer.status == 200
    assert suppressed(session) == [("dr.lee@partner.example.org", "unsubscribe", "one-click")]


def test_the_message_that_carried_the_link_is_noted(site, session):
    """So a person can see which email made someone leave."""
    call(
        f"{site}/unsubscribe/{make_token(KEY, 'dr.lee@partner.example.org', 'news:7')}",
        data=ONE_CLICK,
    )
    assert session.exec(select(Suppression.note)).one() == "message news:7"


def test_a_body_naming_another_address_unsubscribes_only_the_tokens_address(site, session):
    """The token decides whose address it is; nothing in the request can redirect it."""
    call(
        f"{site}/unsubscribe/{make_token(KEY, 'a@partner.example.org')}",
        data=b"email=victim%40partner.example.org",
    )
    assert suppressed(session) == [("a@partner.example.org", "unsubscribe", "link")]


def test_a_forged_token_is_refused_with_a_generic_page(site, session):
    """400, nothing recorded, and no hint of what was wrong with it."""
    answer = call(
        f"{site}/unsubscribe/{make_token('guessed-key', 'a@partner.example.org')}", data=ONE_CLICK
    )
    assert answer.status == 400
    assert (
        "not valid" in answer.body and "a@partner" not in answer.body and "a•••" not in answer.body
    )
    assert suppressed(session) == []


def test_an_altered_token_is_refused_on_the_page_too(site, session):
    """The GET page refuses it as well, rather than offering a button that would fail."""
    token = make_token(KEY, "a@partner.example.org")
    assert call(f"{site}/unsubscribe/{token[:-2]}xx").status == 400


def test_the_answer_is_the_same_for_an_address_already_suppressed(site, session, now):
    """Whether the address is known or listed must not show in the answer."""
    suppressions.record(
        session,
        [suppressions.Entry("known@partner.example.org", suppressions.Reason.BOUNCE, now)],
        "sendgrid",
    )
    session.commit()
    known = call(
        f"{site}/unsubscribe/{make_token(KEY, 'known@partner.example.org')}", data=ONE_CLICK
    )
    unknown = call(
        f"{site}/unsubscribe/{make_token(KEY, 'known@partner.example.net')}", data=ONE_CLICK
    )
    assert (known.status, known.body.replace(".org", ".net")) == (unknown.status, unknown.body)


def test_an_address_suppressed_before_keeps_its_first_reason(site, session, now):
    """A bounced address that later unsubscribes stays a bounce: one row per address."""
    suppressions.record(
        session,
        [suppressions.Entry("known@partner.example.org", suppressions.Reason.BOUNCE, now)],
        "sendgrid",
    )
    session.commit()
    call(f"{site}/unsubscribe/{make_token(KEY, 'Known@Partner.example.org')}", data=ONE_CLICK)
    assert suppressed(session) == [("known@partner.example.org", "bounce", "sendgrid")]


def test_the_served_app_answers_the_public_routes(engine, tmp_path):
    """Through st.App as `make run` serves it: no sign-in, no clash with Streamlit's paths."""
    from tests.browser import running_app

    url = engine.url.render_as_string(hide_password=False)
    with running_app(url, tmp_path / "app.log") as base:
        health = call(f"{base}/api/health")
        page = call(f"{base}/unsubscribe/{make_token('browser-test-key', 'a@partner.example.org')}")
    assert health == Answer(200, '{"ok":true,"database":true}')
    assert (page.status, '<form method="post">' in page.body) == (200, True)
