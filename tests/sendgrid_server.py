"""The `sendgrid_server` fixture: a local SendGrid on a free 127.0.0.1 port for the
length of one test, so transport and sending tests talk HTTP to something that
judges payloads by SendGrid's own spec and never reaches the internet.

Import it into a test module: `from tests.sendgrid_server import sendgrid_server`.
The handle offers `.url`, `.received`, `.deliveries_by_key()`, `.set_faults(...)`,
`.reset()` and `.add_suppression(kind, email, created)`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crm import clock
from sendgrid_local import LocalSendGrid, LocalServer


@pytest.fixture
def sendgrid_server() -> Iterator[LocalServer]:
    """SendGrid's clock is the test's: its events and webhook signatures are stamped at
    the instant the test runs at, as the real one's are at the real day."""
    with LocalServer(LocalSendGrid(now=lambda: clock.now().timestamp())) as server:
        yield server
