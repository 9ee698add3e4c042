"""Password spraying from one address across many accounts: the sign-in page's count
per client address."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from tests.conftest import NOW
from ui.sign_in_limit import MAX_FAILURES, WINDOW, ClientAttempts


def test_an_address_gets_twenty_guesses_in_fifteen_minutes_across_accounts():
    limit = ClientAttempts()
    assert all(limit.take("203.0.113.7", NOW + timedelta(seconds=n)) for n in range(MAX_FAILURES))
    assert limit.take("203.0.113.7", NOW + timedelta(minutes=1)) is False
    assert limit.take("198.51.100.2", NOW + timedelta(minutes=1)) is True


def test_the_window_slides(practice_clock):
    limit = ClientAttempts()
    for _ in range(MAX_FAILURES):
        limit.take("203.0.113.7", NOW)
    assert limit.take("203.0.113.7", NOW + WINDOW) is True


def test_a_right_password_does_not_count_against_the_address():
    limit = ClientAttempts(limit=2)
    limit.take("203.0.113.7", NOW)
    limit.succeeded("203.0.113.7", NOW)
    assert limit.take("203.0.113.7", NOW) and limit.take("203.0.113.7", NOW)
    assert limit.take("203.0.113.7", NOW) is False


def test_parallel_guesses_from_one_address_get_no_more_than_the_limit():
    limit, start = ClientAttempts(), threading.Barrier(60)

    def guess(_: int) -> bool:
        start.wait()
        return limit.take("203.0.113.7", NOW)

    with ThreadPoolExecutor(60) as pool:
        assert sum(pool.map(guess, range(60))) == MAX_FAILURES
