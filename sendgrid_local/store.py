"""What the server received, so tests and staging checks can count deliveries per
idempotency key, plus the suppression lists it serves."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

# Request headers worth keeping with a delivery; the API key is deliberately not kept.
RECORDED_HEADERS = ("content-type", "content-encoding", "user-agent", "on-behalf-of")


@dataclass(frozen=True)
class Delivery:
    """One accepted `POST /v3/mail/send`: the message is as good as sent."""

    message_id: str
    received_at: float
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def message_key(self) -> str | None:
        """The sender's idempotency key, carried in the first personalization's
        custom_args (the only place the spec lets per-message values live)."""
        personalizations = self.body.get("personalizations") or [{}]
        key = (personalizations[0].get("custom_args") or {}).get("message_key")
        return str(key) if key is not None else None

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "message_key": self.message_key,
            "received_at": self.received_at,
            "headers": self.headers,
            "body": self.body,
        }


class Store:
    """Deliveries and suppression records, guarded by one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deliveries: list[Delivery] = []
        self._suppressions: dict[str, list[dict[str, Any]]] = {}

    def record(self, delivery: Delivery) -> None:
        with self._lock:
            self._deliveries.append(delivery)

    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def deliveries_by_key(self) -> dict[str, int]:
        """How many times each idempotency key was accepted: more than one is a
        duplicate send."""
        keys = (delivery.message_key for delivery in self.deliveries())
        return dict(Counter(key for key in keys if key is not None))

    def add_suppression(self, kind: str, record: dict[str, Any]) -> None:
        with self._lock:
            self._suppressions.setdefault(kind, []).append(record)

    def suppressions(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._suppressions.get(kind, []))

    def reset(self) -> None:
        with self._lock:
            self._deliveries.clear()
            self._suppressions.clear()
