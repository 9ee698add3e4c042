"""SendGrid's Event Webhook, played by the local server: events about the messages it
accepted, posted to a configured URL and signed the way SendGrid signs them.

An event looks like SendGrid's: `email`, `timestamp`, `event`, `sg_event_id`,
`sg_message_id` (the X-Message-Id the send was answered with, then a dot and the
filter's suffix), `smtp-id`, `category`, and the personalization's custom_args copied
to the top level. The body is the JSON array plus CRLF; the signature is ECDSA P-256
over `timestamp + body`, base64 DER, in X-Twilio-Email-Event-Webhook-Signature, and the
matching public key is offered as SendGrid shows it (base64 DER SubjectPublicKeyInfo).

With `auto`, each accepted message gets "processed" and "delivered" posted by a
background worker; `flush()` waits for those posts."""

from __future__ import annotations

import base64
import json
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .store import Delivery

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
AUTO_EVENTS = ("processed", "delivered")

# What SendGrid adds to each kind of event, unless the caller says otherwise.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "processed": {},
    "delivered": {"response": "250 2.0.0 OK", "ip": "127.0.0.1", "tls": 1},
    "deferred": {"response": "421 try again later", "attempt": "1"},
    "open": {"sg_machine_open": False, "useragent": "Mozilla/5.0", "ip": "203.0.113.7"},
    "click": {
        "url": "https://practice.example.org/",
        "url_offset": {"index": 0, "type": "html"},
        "useragent": "Mozilla/5.0",
        "ip": "203.0.113.7",
    },
    "bounce": {
        "type": "bounce",
        "status": "5.1.1",
        "bounce_classification": "Invalid Address",
        "reason": "550 5.1.1 The email account that you tried to reach does not exist.",
    },
    "dropped": {"reason": "Bounced Address", "status": "5.0.0"},
    "spamreport": {},
    "unsubscribe": {},
    "group_unsubscribe": {"useragent": "Mozilla/5.0", "ip": "203.0.113.7"},
    "group_resubscribe": {"useragent": "Mozilla/5.0", "ip": "203.0.113.7"},
}


class NoWebhook(Exception):
    """Events were asked for but no webhook URL is configured."""


class NoSuchMessage(Exception):
    """Events were asked for a message the server never accepted."""


class Signer:
    """An ECDSA P-256 key pair standing in for SendGrid's."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey | None = None) -> None:
        self.private_key = private_key or ec.generate_private_key(ec.SECP256R1())

    @classmethod
    def from_file(cls, path: Path) -> Signer:
        """The key kept in `path` (PEM), created there the first time, so a staging
        server keeps the public key Liaison was configured with across restarts."""
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise ValueError(f"{path} does not hold an EC private key")
            return cls(key)
        signer = cls()
        path.write_bytes(
            signer.private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
        return signer

    @property
    def public_key(self) -> str:
        """As SendGrid shows its verification key: base64 DER SubjectPublicKeyInfo."""
        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode("ascii")

    def sign(self, timestamp: str, body: bytes) -> str:
        signature = self.private_key.sign(
            timestamp.encode("utf-8") + body, ec.ECDSA(hashes.SHA256())
        )
        return base64.b64encode(signature).decode("ascii")


@dataclass(frozen=True)
class Post:
    """One signed post and the webhook's answer (status 0: it could not be reached)."""

    url: str
    body: bytes
    headers: dict[str, str]
    status: int
    answer: bytes = b""

    @property
    def events(self) -> list[dict[str, Any]]:
        return json.loads(self.body)


def build_events(
    delivery: Delivery, specs: Iterable[str | dict[str, Any]], now: float
) -> list[dict[str, Any]]:
    """Each spec ("open", or {"event": "open", "sg_machine_open": true, ...}) for every
    recipient of the delivery, in order."""
    events = []
    body = delivery.body
    for index, person in enumerate(body.get("personalizations") or []):
        custom_args = {str(k): str(v) for k, v in (person.get("custom_args") or {}).items()}
        for recipient in person.get("to") or []:
            for spec in specs:
                wanted = {"event": spec} if isinstance(spec, str) else dict(spec)
                kind = str(wanted["event"])
                event = {
                    "email": recipient.get("email", ""),
                    "timestamp": int(now),
                    "event": kind,
                    "sg_event_id": secrets.token_urlsafe(16),
                    "sg_message_id": f"{delivery.message_id}.filterdrecv-local-{index}-0.0",
                    "smtp-id": f"<{delivery.message_id}@local.sendgrid>",
                    **({"category": body["categories"]} if body.get("categories") else {}),
                    **_group(body, kind),
                    **_DEFAULTS.get(kind, {}),
                    **custom_args,
                }
                events.append(event | wanted)
    return events


def _group(body: dict[str, Any], kind: str) -> dict[str, Any]:
    group = (body.get("asm") or {}).get("group_id")
    return {"asm_group_id": group} if group is not None and kind.startswith("group_") else {}


def signed_post(
    url: str, signer: Signer, events: list[dict[str, Any]], now: float, timeout: float = 10.0
) -> Post:
    """Posts the events to `url`, signed, and returns what was sent and answered."""
    body = json.dumps(events, separators=(",", ":")).encode("utf-8") + b"\r\n"
    timestamp = str(int(now))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "SendGrid Event API (local)",
        SIGNATURE_HEADER: signer.sign(timestamp, body),
        TIMESTAMP_HEADER: timestamp,
    }
    return send(url, body, headers, timeout)


def send(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> Post:
    """One POST exactly as given (a test replays a post through this)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Post(url, body, headers, response.status, response.read())
    except urllib.error.HTTPError as error:
        return Post(url, body, headers, error.code, error.read())
    except (urllib.error.URLError, OSError):
        return Post(url, body, headers, 0)


@dataclass
class EventWebhook:
    """Where events go and the key they are signed with; `posts` keeps every post."""

    url: str
    signer: Signer = field(default_factory=Signer)
    auto: bool = False
    now: Callable[[], float] = time.time
    posts: list[Post] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.Queue[list[dict[str, Any]]] = queue.Queue()
        self._worker: threading.Thread | None = None

    def post(self, events: list[dict[str, Any]], now: float) -> Post:
        result = signed_post(self.url, self.signer, events, now)
        with self._lock:
            self.posts.append(result)
        return result

    def accepted(self, delivery: Delivery, now: float) -> None:
        """A message was accepted: with `auto`, queue its processed and delivered events."""
        if not self.auto:
            return
        self._queue.put(build_events(delivery, AUTO_EVENTS, now))
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._drain, name="sendgrid-local-events", daemon=True
                )
                self._worker.start()

    def flush(self) -> None:
        """Waits until every queued automatic post was made."""
        self._queue.join()

    def _drain(self) -> None:
        while True:
            events = self._queue.get()
            try:
                self.post(events, self.now())
            finally:
                self._queue.task_done()
