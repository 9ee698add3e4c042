"""When to try a message again after a transient failure."""

from __future__ import annotations

import random
from datetime import timedelta

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=2)


def backoff(attempts: int, retry_after: float | None, rng: random.Random) -> timedelta:
    """Exponential backoff with jitter (half fixed, half random, so a burst of failures
    does not come back as a burst); a provider's own Retry-After/X-RateLimit-Reset wins
    when it asks for longer."""
    exponential = min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    delay = exponential / 2 + exponential / 2 * rng.random()
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay
