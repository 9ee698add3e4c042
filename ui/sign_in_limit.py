"""Password spraying: one address trying a few passwords on many accounts stays under
each account's lockout, so the sign-in page also counts failures per client address,
across accounts. The count is this process's (the app is one process); like the
account's, a guess takes its place before its password is checked."""

from __future__ import annotations

from datetime import datetime, timedelta

from ui.public.limits import RateLimit

MAX_FAILURES = 20
WINDOW = timedelta(minutes=15)


class ClientAttempts(RateLimit):
    """A guess takes its place (`take`) and counts as a failure until `succeeded`."""

    def __init__(self, limit: int = MAX_FAILURES, window: timedelta = WINDOW) -> None:
        super().__init__(limit, window)

    def succeeded(self, client: str, now: datetime) -> None:
        with self._lock:
            recent = self._seen.get(client)
            if recent:
                recent.remove(max(recent))  # a right password does not count against the address


attempts = ClientAttempts()
