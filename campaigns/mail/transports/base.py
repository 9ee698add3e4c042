"""The seam between the outbox and the outside world.

A transport sends one email and reports exactly one of: accepted (a SendResult),
a TransportError that is `permanent` (never retried), transient (retried by the
queue, never by the transport: a retried read failure could send twice), or
`ambiguous` (the request may have reached the provider; the message becomes `unknown`
and a person decides)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from campaigns.post import Attachment


@dataclass(frozen=True)
class OutgoingEmail:
    message_id: int
    idempotency_key: str
    kind: str
    to_email: str
    to_name: str
    from_email: str
    from_name: str
    subject: str
    html: str
    text: str
    unsubscribe_url: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str | None


class TransportError(Exception):
    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        ambiguous: bool = False,
        retry_after: float | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.ambiguous = ambiguous
        self.retry_after = retry_after
        self.status_code = status_code


class Transport(Protocol):
    name: str

    def send(self, email: OutgoingEmail) -> SendResult: ...

    def close(self) -> None: ...
