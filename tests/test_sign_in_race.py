"""Password guesses sent in parallel, as from many browser tabs or sessions at once:
each takes its place in the account's count before its password is checked, so at most
five are ever evaluated before the lock, on either database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session

from crm import users
from crm.models import User
from crm.users import SignInError, authenticate
from tests.factories import PASSWORD, make_user

GUESSES = 40


@pytest.fixture
def evaluated(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Every password hash a guess was checked against (the real argon2 check runs)."""
    checked: list[str] = []
    lock = threading.Lock()
    real = users._verify

    def counting(password_hash: str, password: str) -> bool:
        with lock:
            checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(users, "_verify", counting)
    return checked


def _guess_in_parallel(engine, email: str, password: str, now, count: int = GUESSES) -> list[str]:  # type: ignore[no-untyped-def]
    start = threading.Barrier(count)

    def guess(_: int) -> str:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                authenticate(session, email, password, now)
                return "signed in"
            except SignInError as error:
                return str(error)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(guess, range(count)))


def test_forty_parallel_wrong_guesses_evaluate_at_most_five(engine, session, now, evaluated):
    target = make_user(session, email="maria@practice.test")
    hash_of_target = session.get(User, target.id).password_hash
    answers = _guess_in_parallel(engine, "maria@practice.test", "wrong-guess-123", now)
    assert evaluated.count(hash_of_target) <= users.MAX_FAILED_SIGN_INS
    assert sum("locked" in a for a in answers) >= GUESSES - users.MAX_FAILED_SIGN_INS
    session.expire_all()
    assert session.get(User, target.id).locked_until is not None


def test_after_the_parallel_guesses_even_the_right_password_waits_out_the_lock(
    engine, session, now, evaluated
):
    make_user(session, email="maria@practice.test")
    _guess_in_parallel(engine, "maria@practice.test", "wrong-guess-123", now)
    with pytest.raises(SignInError, match="locked"):
        authenticate(session, "maria@practice.test", PASSWORD, now)
    assert (
        authenticate(session, "maria@practice.test", PASSWORD, now + users.LOCKOUT).email
        == "maria@practice.test"
    )


def test_rounds_of_parallel_guesses_still_evaluate_five_per_lock(engine, session, now, evaluated):
    target = make_user(session, email="maria@practice.test")
    hash_of_target = session.get(User, target.id).password_hash
    for _ in range(5):
        _guess_in_parallel(engine, "maria@practice.test", "wrong-guess-123", now, count=12)
    assert evaluated.count(hash_of_target) <= users.MAX_FAILED_SIGN_INS
