from datetime import timedelta

import pytest
from sqlmodel import select

from crm.access import PermissionDenied
from crm.models import User
from crm.users import SignInError, authenticate, create_user, ensure_first_admin, update_user
from tests.factories import PASSWORD, make_user


def _user(session, actor):
    return session.get(User, actor.id)


def test_the_right_password_signs_in(session, marketer, now):
    user = authenticate(session, _user(session, marketer).email, PASSWORD, now)
    assert user.id == marketer.id and user.last_login_at == now


def test_passwords_are_stored_as_argon2_hashes(session, admin, now):
    user = create_user(
        session, admin, "new@practice.example.org", "marketer", "a long passphrase", now
    )
    assert user.password_hash.startswith("$argon2")
    assert "a long passphrase" not in user.password_hash


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(session, marketer, now):
    email = _user(session, marketer).email
    with pytest.raises(SignInError, match="wrong email or password"):
        authenticate(session, email, "not it at all", now)
    with pytest.raises(SignInError, match="wrong email or password"):
        authenticate(session, "nobody@practice.example.org", "not it at all", now)


def test_five_failures_lock_the_account_for_fifteen_minutes(session, marketer, now):
    email = _user(session, marketer).email
    for _ in range(5):
        with pytest.raises(SignInError):
            authenticate(session, email, "wrong password!", now)
    with pytest.raises(SignInError, match="locked"):
        authenticate(session, email, PASSWORD, now + timedelta(minutes=14))
    assert (
        authenticate(session, email, PASSWORD, now + timedelta(minutes=15, seconds=1)).id
        == marketer.id
    )


def test_four_failures_then_success_resets_the_count(session, marketer, now):
    email = _user(session, marketer).email
    for _ in range(4):
        with pytest.raises(SignInError):
            authenticate(session, email, "wrong password!", now)
    authenticate(session, email, PASSWORD, now)
    for _ in range(4):
        with pytest.raises(SignInError):
            authenticate(session, email, "wrong password!", now)
    assert authenticate(session, email, PASSWORD, now).id == marketer.id


def test_a_deactivated_user_cannot_sign_in(session, admin, marketer, now):
    update_user(session, admin, marketer.id, now, active=False)
    session.commit()
    with pytest.raises(SignInError):
        authenticate(session, _user(session, marketer).email, PASSWORD, now)


def test_only_an_admin_manages_users(session, marketer, viewer, now):
    for actor in (marketer, viewer):
        with pytest.raises(PermissionDenied):
            create_user(
                session, actor, "x@practice.example.org", "viewer", "a long passphrase", now
            )
        with pytest.raises(PermissionDenied):
            update_user(session, actor, actor.id, now, role="admin")


def test_the_last_admin_cannot_be_demoted(session, admin, now):
    with pytest.raises(ValueError, match="last active admin"):
        update_user(session, admin, admin.id, now, role="viewer")


def test_the_first_admin_comes_from_the_settings(session, now):
    assert (
        ensure_first_admin(session, "boss@practice.example.org", "a long passphrase", now) is None
    )
    session.commit()
    assert (
        authenticate(session, "boss@practice.example.org", "a long passphrase", now).role == "admin"
    )


def test_without_a_password_setting_the_first_admin_gets_a_one_time_password(session, now):
    generated = ensure_first_admin(session, "", "", now)
    session.commit()
    assert generated and authenticate(session, "admin@example.com", generated, now).role == "admin"


def test_no_admin_is_created_when_users_exist(session, marketer, now):
    assert (
        ensure_first_admin(session, "boss@practice.example.org", "a long passphrase", now) is None
    )
    assert (
        session.exec(select(User).where(User.email == "boss@practice.example.org")).first() is None
    )


def test_a_short_password_is_refused(session, admin, now):
    with pytest.raises(ValueError, match="at least 10"):
        create_user(session, admin, "x@practice.example.org", "viewer", "short", now)


def test_an_email_is_unique_regardless_of_case(session, admin, now):
    make_user(session, email="dup@practice.example.org")
    with pytest.raises(ValueError, match="already exists"):
        create_user(session, admin, "DUP@practice.example.org", "viewer", "a long passphrase", now)
