"""The local SendGrid: routes a request to the spec's operation, applies the bearer
check and any injected fault, and answers as SendGrid would."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from . import faults as kinds
from .admin import PREFIX, handle_admin
from .events import EventWebhook, NoSuchMessage, NoWebhook, Post, Signer, build_events
from .faults import FaultInjector
from .mail import send_mail
from .replies import DROP, Drop, Reply, Request, error_reply, problem
from .spec import Contract, FieldError, Operation, load_contract
from .store import Delivery, Store
from .suppressions import list_suppressions, make_record


class LocalSendGrid:
    """Everything but the sockets, so the behaviour is the same whichever server
    carries it. `now` and `sleep` are passed in so tests can control time."""

    def __init__(
        self,
        contract: Contract | None = None,
        store: Store | None = None,
        faults: FaultInjector | None = None,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        webhook: EventWebhook | None = None,
    ) -> None:
        self.contract = contract or load_contract()
        self.webhook = webhook
        self.store = store or Store()
        self.faults = faults or FaultInjector()
        self._now = now
        self._sleep = sleep

    def handle(self, request: Request) -> Reply | Drop:
        if request.path.startswith(PREFIX):
            return handle_admin(self, request)
        operation = self.contract.operation(request.method, request.path)
        if operation is None:
            if self.contract.knows_path(request.path):
                return problem(405, "method not allowed")
            return problem(404, "not found")
        fault = self.faults.draw()
        if fault == kinds.DROP_BEFORE:
            return DROP
        if operation.needs_bearer and not _has_bearer(request):
            return problem(401, "authorization required")
        if fault in (kinds.RATE_LIMITED, kinds.SERVER_ERROR):
            return self._failure(fault)
        if fault == kinds.SLOW:
            self._sleep(self.faults.plan.slow_ms / 1000)
        reply = self._answer(operation, request)
        return DROP if fault == kinds.DROP_AFTER else reply

    def add_suppression(self, kind: str, email: str, created: int, **details: Any) -> None:
        self.store.add_suppression(kind, make_record(kind, email, created, **details))

    def configure_webhook(self, url: str, auto: bool = False) -> EventWebhook:
        """Post events to `url` from now on, signed with the key already in use if any."""
        signer = self.webhook.signer if self.webhook is not None else Signer()
        self.webhook = EventWebhook(url, signer, auto, self._now)
        return self.webhook

    def post_events(self, message_key: str, events: list[str | dict[str, Any]]) -> Post:
        """One signed post with `events` for the message accepted under `message_key`
        ("all": every message accepted so far)."""
        if self.webhook is None:
            raise NoWebhook("no event webhook is configured")
        deliveries = [
            d
            for d in self.store.deliveries()
            if message_key == "all" or d.message_key == message_key
        ]
        if not deliveries:
            raise NoSuchMessage(f"no message was accepted with message_key {message_key!r}")
        now = self._now()
        return self.webhook.post([e for d in deliveries for e in build_events(d, events, now)], now)

    def reset(self) -> None:
        """Back to a fresh server: nothing received, no suppressions, no faults."""
        self.store.reset()
        self.faults.configure(kinds.FaultPlan())

    def _answer(self, operation: Operation, request: Request) -> Reply:
        if operation.path == "/v3/mail/send":
            return send_mail(operation, request, self.store, self._now, self._accepted)
        return list_suppressions(operation, request.query, request.headers, self.store)

    def _accepted(self, delivery: Delivery) -> None:
        if self.webhook is not None:
            self.webhook.accepted(delivery, self._now())

    def _failure(self, fault: str) -> Reply:
        if fault == kinds.SERVER_ERROR:
            return problem(500, "internal server error")
        reset_at = int(self._now()) + self.faults.plan.retry_after_s
        headers = (
            ("X-RateLimit-Limit", "600"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", str(reset_at)),
        )
        return error_reply(429, [FieldError(None, "too many requests")], headers)


def _has_bearer(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())
