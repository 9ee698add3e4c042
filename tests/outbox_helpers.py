"""A scripted transport and message drafts for outbox tests. The transport is the
network boundary, so a recording fake stands in for the provider here; the end-to-end
tests use the local SendGrid server and a real SMTP server instead."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from campaigns.mail.dispatch import DispatchConfig, Dispatcher
from campaigns.mail.outbox import Draft
from campaigns.mail.transports.base import OutgoingEmail, SendResult, TransportError
from crm.setting_values import SendWindow

_seq = itertools.count(1)


def draft(**fields) -> Draft:  # type: ignore[no-untyped-def]
    n = next(_seq)
    values = {
        "idempotency_key": f"test:{n}",
        "kind": "cadence",
        "to_email": f"dr{n}@clinic.example.org",
        "template": "partner_check_in",
        "subject": f"Checking in {n}",
        "html": "<p>Hello</p>",
        "text": "Hello",
        "timezone": "America/New_York",
        **fields,
    }
    return Draft(**values)


class ScriptedTransport:
    """Answers each send from a script of outcomes (by call order), then succeeds."""

    name = "scripted"

    def __init__(
        self,
        script: list[Exception | None] | None = None,
        per_key: Callable[[OutgoingEmail], Exception | None] | None = None,
    ) -> None:
        self.script = list(script or [])
        self.per_key = per_key
        self.delivered: Counter[str] = Counter()
        self.sent: list[OutgoingEmail] = []
        self._lock = threading.Lock()

    def send(self, email: OutgoingEmail) -> SendResult:
        with self._lock:
            planned = self.script.pop(0) if self.script else None
        if planned is None and self.per_key is not None:
            planned = self.per_key(email)
        if isinstance(planned, TransportError) and planned.ambiguous:
            with self._lock:
                self.delivered[email.idempotency_key] += 1
            raise planned
        if planned is not None:
            raise planned
        with self._lock:
            self.delivered[email.idempotency_key] += 1
            self.sent.append(email)
        return SendResult(provider_message_id=f"prov-{email.message_id}")

    def close(self) -> None:
        pass


def config(**fields) -> DispatchConfig:  # type: ignore[no-untyped-def]
    values = {
        "from_email": "outreach@practice.example.org",
        "from_name": "Summit Sports Medicine",
        "window": SendWindow.parse("Mon-Fri 08:00-18:00"),
        "frequency_cap": 3,
        "max_attempts": 4,
        "batch_size": 50,
        "workers": 4,
        **fields,
    }
    return DispatchConfig(**values)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def dispatcher(engine, transport, now: datetime, **fields) -> tuple[Dispatcher, Clock]:  # type: ignore[no-untyped-def]
    import random

    clock = Clock(now)
    return Dispatcher(engine, lambda: transport, config(**fields), clock, random.Random(7)), clock
