"""Signed tokens that keep a user signed in across a browser reload.

A token names the user and a fingerprint of their password hash, is signed with the
secret key and carries the time it was issued. It stops working when it grows older
than its kind allows, when the user is deactivated, or when their password changes
(the fingerprint no longer matches). Nothing is stored on the server.

Two kinds, signed with different salts so one can never stand in for the other: the
session token lives in the browser's cookie for 12 hours; the handoff token lives
for a minute, just long enough for the page that signed the user in to trade it for
the cookie (the page itself cannot set an HttpOnly cookie).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer
from sqlmodel import Session

from crm.models import User


@dataclass(frozen=True)
class TokenKind:
    salt: str
    max_age: timedelta


SESSION = TokenKind("liaison.session", timedelta(hours=12))
HANDOFF = TokenKind("liaison.session-handoff", timedelta(seconds=60))


def issue(secret: str, user: User, now: datetime, kind: TokenKind = SESSION) -> str:
    # The nonce makes two sign-ins in the same second two different (one-time) handoffs.
    payload = {"user": user.id, "key": _fingerprint(user), "issued": int(now.timestamp()),
               "nonce": secrets.token_urlsafe(8)}
    return URLSafeSerializer(secret, salt=kind.salt).dumps(payload)


def verify(session: Session, secret: str, token: str, now: datetime, kind: TokenKind = SESSION) -> User | None:
    """The signed-in user the token stands for, or None when it is forged, of another
    kind, too old, or the user was deactivated or changed their password since."""
    try:
        payload = URLSafeSerializer(secret, salt=kind.salt).loads(token)
        user_id, key, issued = int(payload["user"]), str(payload["key"]), int(payload["issued"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    age = now.timestamp() - issued
    # A token from the future means the clock that issued it runs ahead: refuse it too.
    if not 0 <= age <= kind.max_age.total_seconds():
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or key != _fingerprint(user):
        return None
    return user


def _fingerprint(user: User) -> str:
    """Changes whenever the password does. The token is signed, not encrypted, so it
    carries a digest rather than any part of the hash itself."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
