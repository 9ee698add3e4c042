"""The signed token that keeps a user signed in across a reload (crm.sessions)."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import URLSafeSerializer
from sqlalchemy import delete

from crm import sessions
from crm.models import User, UserSession
from crm.users import update_user
from tests.factories import make_user

SECRET = "test-secret-key"


def _user(session, actor) -> User:
    return session.get(User, actor.id)


def test_a_fresh_token_stands_for_its_user(session, marketer, now):
    token = sessions.start(session, SECRET, _user(session, marketer), now)
    assert sessions.verify(session, SECRET, token, now + timedelta(hours=1)).id == marketer.id


def test_a_token_works_for_twelve_hours_and_not_a_second_longer(session, marketer, now):
    token = sessions.start(session, SECRET, _user(session, marketer), now)
    for hours in range(1, 13):  # in use all day, so never idle
        assert sessions.verify(session, SECRET, token, now + timedelta(hours=hours)) is not None
    assert sessions.verify(session, SECRET, token, now + timedelta(hours=12, seconds=1)) is None


def test_a_session_left_idle_past_the_limit_is_ended(session, marketer, now):
    token = sessions.start(session, SECRET, _user(session, marketer), now)
    assert sessions.verify(session, SECRET, token, now + timedelta(minutes=119)) is not None
    assert sessions.verify(session, SECRET, token, now + timedelta(minutes=119 + 121)) is None
    assert (
        sessions.verify(session, SECRET, token, now + timedelta(minutes=119 + 122)) is None
    )  # stays ended


def test_signing_out_ends_the_session_whatever_its_age(session, marketer, now):
    token = sessions.start(session, SECRET, _user(session, marketer), now)
    assert sessions.end(session, sessions.key_of(SECRET, token), now + timedelta(minutes=1))
    assert sessions.verify(session, SECRET, token, now + timedelta(minutes=2)) is None


def test_signing_out_everywhere_ends_every_session_of_the_user_only(session, admin, marketer, now):
    from crm.users import sign_out_everywhere

    mine = [sessions.start(session, SECRET, _user(session, marketer), now) for _ in range(3)]
    theirs = sessions.start(session, SECRET, _user(session, admin), now)
    assert sign_out_everywhere(session, admin, marketer.id, now) == 3
    assert [sessions.verify(session, SECRET, t, now) for t in mine] == [None] * 3
    assert sessions.verify(session, SECRET, theirs, now).id == admin.id


def test_a_handoff_token_lasts_a_minute(session, marketer, now):
    token = sessions.issue(SECRET, _user(session, marketer), now, sessions.HANDOFF)
    assert (
        sessions.verify(session, SECRET, token, now + timedelta(seconds=60), sessions.HANDOFF)
        is not None
    )
    assert (
        sessions.verify(session, SECRET, token, now + timedelta(seconds=61), sessions.HANDOFF)
        is None
    )


def test_a_handoff_token_is_not_a_session_token_nor_the_other_way_round(session, marketer, now):
    user = _user(session, marketer)
    assert (
        sessions.verify(session, SECRET, sessions.issue(SECRET, user, now, sessions.HANDOFF), now)
        is None
    )
    assert (
        sessions.verify(
            session, SECRET, sessions.start(session, SECRET, user, now), now, sessions.HANDOFF
        )
        is None
    )


def test_a_token_issued_in_the_future_is_refused(session, marketer, now):
    token = sessions.start(session, SECRET, _user(session, marketer), now + timedelta(minutes=5))
    assert sessions.verify(session, SECRET, token, now) is None


def test_a_tampered_token_is_refused(session, marketer, now):
    token = sessions.start(session, SECRET, _user(session, marketer), now)
    other = make_user(session)
    payload, signature = token.rsplit(".", 1)
    forged = (
        sessions.start(session, SECRET, _user(session, other), now).rsplit(".", 1)[0]
        + "."
        + signature
    )
    assert sessions.verify(session, SECRET, forged, now) is None
    assert sessions.verify(session, SECRET, payload + "." + signature[::-1], now) is None
    assert sessions.verify(session, SECRET, "not a token", now) is None


def test_a_token_signed_with_another_secret_is_refused(session, marketer, now):
    token = sessions.start(session, "another secret", _user(session, marketer), now)
    assert sessions.verify(session, SECRET, token, now) is None


def test_changing_the_password_ends_the_sessions_signed_in_before(session, admin, marketer, now):
    token = sessions.start(session, SECRET, _user(session, marketer), now)
    update_user(session, admin, marketer.id, now, password="a brand new passphrase")
    session.commit()
    assert sessions.verify(session, SECRET, token, now) is None


def test_deactivating_a_user_ends_their_sessions(session, admin, marketer, now):
    token = sessions.start(session, SECRET, _user(session, marketer), now)
    update_user(session, admin, marketer.id, now, active=False)
    session.commit()
    assert sessions.verify(session, SECRET, token, now) is None


def test_a_token_for_a_user_who_no_longer_exists_is_refused(session, marketer, now):
    user = _user(session, marketer)
    token = sessions.start(session, SECRET, user, now)
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.delete(user)
    session.commit()
    assert sessions.verify(session, SECRET, token, now) is None


def test_the_token_carries_a_digest_of_the_password_hash_not_the_hash(session, marketer, now):
    user = _user(session, marketer)
    token = sessions.start(session, SECRET, user, now)
    payload = URLSafeSerializer(SECRET, salt=sessions.SESSION.salt).loads(token)
    assert payload["user"] == user.id and len(payload["key"]) == 16
    assert payload["key"] not in user.password_hash


def test_two_sign_ins_in_the_same_second_get_different_tokens(session, marketer, now):
    user = _user(session, marketer)
    assert sessions.issue(SECRET, user, now, sessions.HANDOFF) != sessions.issue(
        SECRET, user, now, sessions.HANDOFF
    )
