"""How often the partner link may be used: per client address (every request, so one
machine cannot hammer the pages) and per link (each form sent, so a leaked link cannot
flood the front desk's queue from many addresses). The counts are this process's, as
the sign-in page's are; a request past either gets a 429 page that says to wait."""

from __future__ import annotations

from datetime import timedelta

from ui.sign_in_limit import ClientAttempts

WINDOW = timedelta(minutes=10)
PER_CLIENT = 120  # page views and forms from one address in WINDOW
PER_LINK = 30  # forms sent through one partner's link in WINDOW

per_client = ClientAttempts(limit=PER_CLIENT, window=WINDOW)
per_link = ClientAttempts(limit=PER_LINK, window=WINDOW)
