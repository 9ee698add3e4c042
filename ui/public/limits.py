"""How often the pages open without sign-in may be used, per client address and per
link, counted in this process (the app is one process, as the sign-in page's counts
are); a request past a limit gets a 429 page that says to wait.

The partner link counts every request per client address (so one machine cannot hammer
the pages) and each form sent per link (so a leaked link cannot flood the front desk's
queue from many addresses). A calendar feed counts its fetches per feed as well, so a
link pasted somewhere public cannot be fetched without end."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=10)
PER_CLIENT = 120  # page views and forms from one address in WINDOW
PER_LINK = 30  # forms sent through one partner's link in WINDOW
PER_FEED = 20  # fetches of one user's calendar feed in WINDOW (calendars poll hourly)
MAX_KEYS = 10_000


class RateLimit:
    """Requests per key in a sliding window."""

    def __init__(self, limit: int, window: timedelta = WINDOW) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: datetime) -> bool:
        with self._lock:
            if len(self._seen) > MAX_KEYS:  # many links or addresses: forget the quiet ones
                self._forget_quiet(now)
            recent = self._seen.setdefault(key, deque())
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                return False
            recent.append(now)
            return True

    def _forget_quiet(self, now: datetime) -> None:
        for key in [
            k for k, seen in self._seen.items() if not seen or seen[-1] <= now - self.window
        ]:
            del self._seen[key]

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


per_client = RateLimit(PER_CLIENT)
per_link = RateLimit(PER_LINK)
per_feed = RateLimit(PER_FEED)
