"""Signed tokens (crm.signing): links already in people's inboxes keep working, a token
of one kind never passes for another, and timed tokens age by the clock we pass in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer

from campaigns.events import tokens as rsvp
from campaigns.mail import unsubscribe
from campaigns.reviews import links as reviews
from crm import sessions
from crm.models import User
from crm.signing import Signer

KEY = "pinned-secret-key"

# Made by the code that signed these links before crm.signing existed: changing how
# they are signed would break every such link in an inbox.
EMAILED = {
    "unsubscribe": "WyJkci5sZWVAcGFydG5lci5leGFtcGxlLm9yZyIsIm5ld3NsZXR0ZXI6NyJd.8BW3pMdMd6UtWjPbsj2VUB8P7aQ",
    "rsvp": "WzQyLCJ5ZXMiXQ.31J_Z1qF0FQhXVZwES0HiUoVWPA",
    "review": "WyJxIiw0Ml0.06XvxVO_v-seN-Shn-ZqkmLtp5U",
}


def _old(salt: str, payload: object) -> str:
    """A token as the modules made it before, with itsdangerous directly."""
    return URLSafeSerializer(KEY, salt=salt).dumps(payload)


def test_an_emailed_unsubscribe_link_still_works_and_is_made_the_same_way():
    old = _old("liaison.unsubscribe.v1", ["dr.lee@partner.example.org", "newsletter:7"])
    assert old == EMAILED["unsubscribe"]
    assert unsubscribe.make_token(KEY, "Dr.Lee@Partner.example.org", "newsletter:7") == old
    assert unsubscribe.verify(KEY, old) == unsubscribe.UnsubscribeRequest(
        "dr.lee@partner.example.org", "newsletter:7"
    )


def test_an_emailed_rsvp_link_still_works_and_is_made_the_same_way():
    old = _old("liaison.event-rsvp.v1", [42, "yes"])
    assert old == EMAILED["rsvp"]
    assert rsvp.make_token(KEY, 42, "yes") == old
    assert rsvp.verify(KEY, old) == rsvp.RsvpRequest(invitee_id=42, answer="yes")


def test_an_emailed_review_link_still_works_and_is_made_the_same_way():
    old = _old("liaison.review-link.v1", ["q", 42])
    assert old == EMAILED["review"]
    assert reviews.make_token(KEY, reviews.REQUEST, 42) == old
    assert reviews.verify(KEY, old) == reviews.ReviewLink(kind="q", id=42)
    location = _old("liaison.review-link.v1", ["l", 7])
    assert reviews.make_token(KEY, reviews.LOCATION, 7) == location
    assert reviews.verify(KEY, location) == reviews.ReviewLink(kind="l", id=7)


def test_a_signer_reads_back_what_it_signed():
    signer = Signer(KEY, "liaison.test")
    assert signer.verify(signer.sign(["a", 1, {"b": None}])) == ["a", 1, {"b": None}]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token.replace(".", ".A" if token.split(".")[1][0] != "A" else ".B")[:-1],
        lambda token: "WzQzLCJ5ZXMiXQ" + token[token.index(".") :],
        lambda token: token.split(".")[0],
        lambda token: "",
        lambda token: "not a token",
        lambda token: "é.é",
    ],
)
def test_a_tampered_token_is_refused_without_raising(tamper):
    signer = Signer(KEY, "liaison.event-rsvp.v1")
    token = signer.sign([42, "yes"])
    assert signer.verify(tamper(token)) is None
    assert rsvp.verify(KEY, tamper(token)) is None


def test_a_token_signed_with_another_key_is_refused():
    assert (
        Signer(KEY, "liaison.test").verify(Signer("guessed-key", "liaison.test").sign([1])) is None
    )


def test_a_token_of_one_salt_is_refused_under_another():
    token = Signer(KEY, "liaison.event-rsvp.v1").sign([42, "yes"])
    assert Signer(KEY, "liaison.review-link.v1").verify(token) is None
    # The same payload shape under every kind, each refused by every other kind.
    shared = ["q", 42]
    made = {
        salt: Signer(KEY, salt).sign(shared)
        for salt in (
            unsubscribe.SALT,
            rsvp.SALT,
            reviews.SALT,
            sessions.SESSION.salt,
            sessions.HANDOFF.salt,
        )
    }
    for salt, token in made.items():
        for other in made:
            assert (Signer(KEY, other).verify(token) is None) == (other != salt)
    assert reviews.verify(KEY, made[rsvp.SALT]) is None
    assert reviews.verify(KEY, made[reviews.SALT]) == reviews.ReviewLink(kind="q", id=42)


def test_a_timed_token_lasts_its_max_age_and_not_a_second_longer(now):
    signer, max_age = Signer(KEY, "liaison.test"), timedelta(minutes=5)
    token = signer.sign_timed({"user": 3}, now)
    assert signer.verify_timed(token, now, max_age) == {"user": 3, "issued": int(now.timestamp())}
    assert signer.verify_timed(token, now + max_age - timedelta(seconds=1), max_age) is not None
    assert signer.verify_timed(token, now + max_age, max_age) is not None
    assert signer.verify_timed(token, now + max_age + timedelta(seconds=1), max_age) is None


def test_a_timed_token_from_the_future_is_refused(now):
    signer = Signer(KEY, "liaison.test")
    token = signer.sign_timed({"user": 3}, now + timedelta(seconds=1))
    assert signer.verify_timed(token, now, timedelta(hours=1)) is None


def test_a_timed_token_without_its_issued_second_is_refused(now):
    signer = Signer(KEY, "liaison.test")
    for payload in (
        {"user": 3},
        {"issued": "yesterday"},
        {"issued": True},
        [int(now.timestamp())],
        None,
    ):
        assert signer.verify_timed(signer.sign(payload), now, timedelta(hours=1)) is None


def test_a_timed_payload_cannot_bring_its_own_issued_second(now):
    with pytest.raises(ValueError):
        Signer(KEY, "liaison.test").sign_timed({"issued": 0}, now)


def test_nothing_is_signed_without_a_secret_key_or_a_salt():
    with pytest.raises(ValueError):
        Signer("", "liaison.test")
    with pytest.raises(ValueError):
        Signer(KEY, "")
    with pytest.raises(ValueError):
        unsubscribe.make_token("", "a@b.org")


def test_a_session_token_issued_before_still_signs_its_user_in(session, marketer, now):
    """The cookie a browser holds from before crm.signing (the same payload, its keys in
    the old order) keeps working until it ages out."""
    user = session.get(User, marketer.id)
    key = sessions.open_session(session, user, now)
    fingerprint = sessions.issue(KEY, user, now, session_key=key)
    fingerprint = URLSafeSerializer(KEY, salt=sessions.SESSION.salt).loads(fingerprint)["key"]
    old = _old(
        sessions.SESSION.salt,
        {
            "user": user.id,
            "key": fingerprint,
            "issued": int(now.timestamp()),
            "nonce": "n0nce",
            "sid": key,
        },
    )
    assert sessions.verify(session, KEY, old, now + timedelta(hours=1)).id == user.id
    assert sessions.key_of(KEY, old) == key
    handoff = _old(
        sessions.HANDOFF.salt,
        {
            "user": user.id,
            "key": fingerprint,
            "issued": int(now.timestamp()),
            "nonce": "n0nce",
            "sid": key,
        },
    )
    assert (
        sessions.verify(session, KEY, handoff, now + timedelta(seconds=60), sessions.HANDOFF).id
        == user.id
    )
    assert (
        sessions.verify(session, KEY, handoff, now + timedelta(seconds=61), sessions.HANDOFF)
        is None
    )
