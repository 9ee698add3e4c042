"""RSVP links: the signed token, and GET /rsvp/{token} in a real HTTP server."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from itsdangerous import URLSafeSerializer

from campaigns.events.service import cancel_event, invite
from campaigns.events.tokens import SALT, make_token, rsvp_url, verify
from campaigns.mail.unsubscribe import make_token as unsubscribe_token
from tests.apptest import app_database  # noqa: F401
from tests.event_helpers import SETTINGS, invitees, make_event
from tests.factories import make_contact, make_partner
from tests.public_site import serving
from ui.public.rsvp import routes
from ui.routes import public_routes

KEY = "test-secret-key"  # what app_database puts in LIAISON_SECRET_KEY


def test_a_token_names_the_invitee_and_the_answer():
    wanted = verify(KEY, make_token(KEY, 42, "no"))
    assert (wanted.invitee_id, wanted.answer) == (42, "no")


def test_a_token_signed_with_another_key_is_refused():
    forged = URLSafeSerializer("guessed-key", salt=SALT).dumps([42, "yes"])
    assert verify(KEY, forged) is None


def test_a_no_cannot_be_turned_into_a_yes():
    payload, signature = make_token(KEY, 42, "no").split(".")
    yes_payload = make_token(KEY, 42, "yes").split(".")[0]
    assert verify(KEY, f"{yes_payload}.{signature}") is None


def test_a_token_with_another_invitee_put_in_is_refused():
    payload, signature = make_token(KEY, 42, "yes").split(".")
    other = make_token(KEY, 43, "yes").split(".")[0]
    assert verify(KEY, f"{other}.{signature}") is None


def test_an_unsubscribe_token_is_not_an_rsvp_token():
    assert verify(KEY, unsubscribe_token(KEY, "a@b.org")) is None


def test_the_url_is_under_the_public_address():
    assert rsvp_url(SETTINGS, 42, "yes").startswith("https://liaison.example.org/rsvp/")


def test_the_route_is_among_the_public_routes():
    assert "/rsvp/{token}" in [getattr(route, "path", "") for route in public_routes()]


# --- the public route ------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: str


def call(url: str, method: str = "GET") -> Answer:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode())


def reply(url: str) -> Answer:
    """The page's one button: what a person does after opening the link."""
    return call(url, "POST")


@pytest.fixture
def site(app_database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(routes()) as address:
        yield f"http://{address}"


@pytest.fixture
def full_event(session, marketer, now):  # type: ignore[no-untyped-def]
    """A one-seat event with two invitees; returns (event, [first invitee id, second invitee id])."""
    event = make_event(session, marketer, capacity=1)
    partner = make_partner(session)
    contacts = [make_contact(session, partner) for _ in range(2)]
    invite(session, marketer, event.id, now, contact_ids=[c.id for c in contacts])
    session.commit()
    rows = invitees(session, event.id)
    return event, [rows[c.id].id for c in contacts]


def test_opening_a_yes_link_asks_and_changes_nothing(site, session, full_event):
    """Mail scanners fetch every link in a message, with GET and HEAD."""
    event, (first, _) = full_event
    url = f"{site}/rsvp/{make_token(KEY, first, 'yes')}"
    page = call(url)
    assert (
        page.status == 200
        and '<form method="post">' in page.body
        and "Yes, save me a seat" in page.body
    )
    assert call(url, "HEAD").status == 200
    assert {row.rsvp for row in invitees(session, event.id).values()} == {"none"}


def test_opening_a_no_link_offers_the_no(site, full_event):
    _, (first, _) = full_event
    assert "No, I can't come" in call(f"{site}/rsvp/{make_token(KEY, first, 'no')}").body


def test_the_confirming_post_saves_a_seat(site, session, full_event):
    event, (first, _) = full_event
    answer = reply(f"{site}/rsvp/{make_token(KEY, first, 'yes')}")
    assert answer.status == 200 and "seat is saved" in answer.body
    assert invitees(session, event.id)[_contact_of(session, event, first)].rsvp == "yes"


def test_a_yes_past_capacity_says_wait_list(site, full_event):
    _, (first, second) = full_event
    reply(f"{site}/rsvp/{make_token(KEY, first, 'yes')}")
    assert "wait list" in reply(f"{site}/rsvp/{make_token(KEY, second, 'yes')}").body


def test_an_altered_token_is_refused_and_records_nothing(site, session, full_event):
    event, (first, _) = full_event
    token = make_token(KEY, first, "yes")
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    answer = reply(f"{site}/rsvp/{altered}")
    assert answer.status == 400 and "not valid" in answer.body
    assert call(f"{site}/rsvp/{altered}").status == 400
    assert {row.rsvp for row in invitees(session, event.id).values()} == {"none"}


def test_a_forged_token_is_refused(site, full_event):
    _, (first, _) = full_event
    forged = URLSafeSerializer("guessed-key", salt=SALT).dumps([first, "yes"])
    assert (call(f"{site}/rsvp/{forged}").status, reply(f"{site}/rsvp/{forged}").status) == (
        400,
        400,
    )


def test_a_token_for_an_unknown_invitee_gets_the_same_answer_as_a_bad_one(site):
    url = f"{site}/rsvp/{make_token(KEY, 999_999, 'yes')}"
    assert (call(url).status, reply(url).status) == (400, 400)


def test_a_link_to_a_cancelled_event_says_so(site, session, marketer, now, full_event):
    event, (first, _) = full_event
    cancel_event(session, marketer, event.id, now)
    session.commit()
    url = f"{site}/rsvp/{make_token(KEY, first, 'yes')}"
    assert "cancelled" in call(url).body and "cancelled" in reply(url).body


def _contact_of(session, event, invitee_id):  # type: ignore[no-untyped-def]
    return next(c for c, row in invitees(session, event.id).items() if row.id == invitee_id)
