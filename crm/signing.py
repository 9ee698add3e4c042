"""Signed tokens: the one place that knows how the links in our emails and the
signed-in browser's cookie are signed.

Each kind of token has a salt of its own, so a token made for one purpose (an
unsubscribe link, an RSVP, a session) never stands in for another even though all are
signed with the same secret key. The wire format is itsdangerous's URL-safe serializer
(compact JSON, then the signature), the one the links already in people's inboxes were
made with: changing it would break every email sent before.

A timed token carries the second it was issued inside its payload, under `issued`,
rather than using itsdangerous's timestamp signer: its age is then measured against the
`now` the caller passes in (the project's clock), never against the wall clock.

Verifying never raises: a token that is forged, tampered with, of another kind, or too
old is simply None, and the caller decides what that means."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

ISSUED = "issued"


class Signer:
    """Signs and verifies one kind of token, named by its salt."""

    def __init__(self, secret_key: str, salt: str) -> None:
        # An empty key would sign tokens anyone can forge.
        if not secret_key:
            raise ValueError(f"a secret key is needed to sign {salt} tokens")
        if not salt:
            raise ValueError("every kind of token needs a salt of its own")
        self._serializer = URLSafeSerializer(secret_key, salt=salt)

    def sign(self, payload: Any) -> str:
        return self._serializer.dumps(payload)

    def verify(self, token: str) -> Any | None:
        """The payload we signed, or None when the token is not ours as it is."""
        try:
            return self._serializer.loads(token)
        except BadData:
            return None

    def sign_timed(self, payload: Mapping[str, Any], now: datetime) -> str:
        if ISSUED in payload:
            raise ValueError(f"{ISSUED!r} is the signer's own key in a timed token")
        return self.sign({**payload, ISSUED: int(now.timestamp())})

    def verify_timed(self, token: str, now: datetime, max_age: timedelta) -> dict[str, Any] | None:
        """The payload (with its `issued` second) when the token is ours and at most
        `max_age` old at `now`; None otherwise. A token issued after `now` means the
        clock that issued it runs ahead, and is refused too."""
        payload = self.verify(token)
        if not isinstance(payload, dict) or type(payload.get(ISSUED)) is not int:
            return None
        age = now.timestamp() - payload[ISSUED]
        if not 0 <= age <= max_age.total_seconds():
            return None
        return payload

    def sign_versioned(self, record_id: int, version: int) -> str:
        """A link to one record that is good until the record's version moves on (a
        rotated partner link or calendar feed)."""
        return self.sign([record_id, version])

    def verify_versioned(self, token: str) -> tuple[int, int] | None:
        """The (record id, version) a versioned token names, or None when it is not ours."""
        payload = self.verify(token)
        if (
            not isinstance(payload, list)
            or len(payload) != 2
            or type(payload[0]) is not int
            or type(payload[1]) is not int
        ):
            return None
        return payload[0], payload[1]
