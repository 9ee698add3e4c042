"""Signed unsubscribe tokens, for the link in the footer and the `List-Unsubscribe` URL.

A token carries the address it was made for (and the message it came in, for the
record), signed with the app's secret key under a salt of its own, so a token made for
some other purpose (a session, a handoff) is never accepted here. It cannot be forged,
and changing the address inside it breaks the signature: a token unsubscribes exactly
one address. It does not expire: the law and the recipient expect an old email's link
to keep working."""

from __future__ import annotations

from dataclasses import dataclass

from crm.settings import Settings
from crm.signing import Signer

SALT = "liaison.unsubscribe.v1"


@dataclass(frozen=True)
class UnsubscribeRequest:
    email: str
    message_key: str


def make_token(secret_key: str, email: str, message_key: str = "") -> str:
    return Signer(secret_key, SALT).sign([email.strip().lower(), message_key])


def unsubscribe_url(settings: Settings, email: str, message_key: str = "") -> str:
    return (
        f"{settings.public_url}/unsubscribe/{make_token(settings.secret_key, email, message_key)}"
    )


def verify(secret_key: str, token: str) -> UnsubscribeRequest | None:
    """The request the token stands for, or None when it was not made by us as it is."""
    payload = Signer(secret_key, SALT).verify(token)
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(part, str) for part in payload)
        or "@" not in payload[0]
    ):
        return None
    return UnsubscribeRequest(email=payload[0], message_key=payload[1])
