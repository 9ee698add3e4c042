"""Is a webhook post SendGrid's, and is it recent?

SendGrid signs `timestamp + raw body` with its ECDSA P-256 key and sends the base64
DER signature and the timestamp in two headers; the verification key is shown in its
settings as base64 DER SubjectPublicKeyInfo. The official helper does the arithmetic.
The signature proves who sent the post, not when it was received, so freshness is
checked apart, and a replay is refused by remembering what was accepted (receipts.py)."""

from __future__ import annotations

import binascii
import hashlib
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from sendgrid.helpers.eventwebhook import EventWebhook

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


def verify(body: str, signature: str, timestamp: str, public_key: str) -> bool:
    """True only when `signature` is the key's signature of `timestamp + body`. Anything
    malformed (the key, base64, DER) is a plain False: a caller never sees an exception
    from what a stranger sent."""
    if not (body and signature and timestamp and public_key):
        return False
    try:
        helper = EventWebhook("".join(public_key.split()))
        return bool(helper.verify_signature(body, signature.strip(), timestamp.strip()))
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError, binascii.Error):
        return False


def signed_at(timestamp: str) -> datetime | None:
    """The header's Unix seconds as an aware time, or None when it is not a number."""
    try:
        return datetime.fromtimestamp(int(timestamp.strip()), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def is_fresh(timestamp: str, now: datetime, max_age_seconds: int) -> bool:
    """Signed no longer than `max_age_seconds` ago, nor that far ahead (a clock skew)."""
    when = signed_at(timestamp)
    return when is not None and abs(now - when) <= timedelta(seconds=max_age_seconds)


def digest(body: str, timestamp: str) -> str:
    """What a receipt keeps of an accepted post, to spot it again: a digest of what was
    signed rather than of the signature, because an ECDSA signature is malleable (anyone
    can turn (r, s) into the equally valid (r, n - s)), so the same post could come back
    under a second signature."""
    return hashlib.sha256((timestamp.strip() + body).encode("utf-8")).hexdigest()
