"""Password spraying: one address trying a few passwords on many accounts stays under
each account's lockout, so the sign-in page also counts failures per client address,
across accounts. The count is this process's (the app is one process); like the
account's, a guess takes its place before its password is checked."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

MAX_FAILURES = 20
WINDOW = timedelta(minutes=15)


class ClientAttempts:
    def __init__(self, limit: int = MAX_FAILURES, window: timedelta = WINDOW) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def take(self, client: str, now: datetime) -> bool:
        """Room for one more guess from `client`; counted as a failure until `succeeded`."""
        with self._lock:
            recent = self._failures.setdefault(client, deque())
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                return False
            recent.append(now)
            return True

    def succeeded(self, client: str, now: datetime) -> None:
        with self._lock:
            recent = self._failures.get(client)
            if recent:
                recent.remove(max(recent))  # a right password does not count against the address


attempts = ClientAttempts()
