"""Signed tokens that keep a user signed in across a browser reload.

A token names the user and a fingerprint of their password hash, is signed with the
secret key and carries the time it was issued. It stops working when it grows older
than its kind allows, when the user is deactivated, or when their password changes
(the fingerprint no longer matches).

Two kinds, signed with different salts so one can never stand in for the other: the
session token lives in the browser's cookie for 12 hours; the handoff token lives
for a minute, just long enough for the page that signed the user in to trade it for
the cookie (the page itself cannot set an HttpOnly cookie).

A session token also names a row of `user_session`, so that the server can end it:
sign-out, a password change, deactivation and "sign out everywhere" end it at once,
and so does an idle spell longer than the idle limit (LIAISON_SESSION_IDLE_MINUTES).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from crm.models import User, UserSession
from crm.signing import Signer


@dataclass(frozen=True)
class TokenKind:
    salt: str
    max_age: timedelta


SESSION = TokenKind("liaison.session", timedelta(hours=12))
HANDOFF = TokenKind("liaison.session-handoff", timedelta(seconds=60))


IDLE = timedelta(hours=2)
_SEEN_EVERY = timedelta(minutes=1)  # how stale last_seen_at may grow before a write


def issue(
    secret: str, user: User, now: datetime, kind: TokenKind = SESSION, session_key: str = ""
) -> str:
    # The nonce makes two sign-ins in the same second two different (one-time) handoffs.
    payload = {
        "user": user.id,
        "key": _fingerprint(user),
        "nonce": secrets.token_urlsafe(8),
        "sid": session_key,
    }
    return Signer(secret, kind.salt).sign_timed(payload, now)


def open_session(session: Session, user: User, now: datetime) -> str:
    """A new signed-in browser's row; returns the key its tokens carry."""
    key = secrets.token_urlsafe(32)
    session.add(UserSession(key=key, user_id=user.id, created_at=now, last_seen_at=now))
    session.flush()
    return key


def start(session: Session, secret: str, user: User, now: datetime) -> str:
    """A new signed-in browser: its row, and the cookie's token that names it."""
    return issue(secret, user, now, SESSION, session_key=open_session(session, user, now))


def trade(session: Session, secret: str, handoff: str, now: datetime) -> str | None:
    """The session token for a handoff, naming the same session; None when the handoff
    is not good or its session has ended since."""
    user = verify(session, secret, handoff, now, HANDOFF)
    key = key_of(secret, handoff, HANDOFF)
    if user is None or not current(session, key, user.id, now):
        return None
    return issue(secret, user, now, SESSION, session_key=key)


def key_of(secret: str, token: str, kind: TokenKind = SESSION) -> str:
    """The session a token names ("" when none): read only after `verify` accepted it."""
    payload = Signer(secret, kind.salt).verify(token)
    return str(payload.get("sid", "")) if isinstance(payload, dict) else ""


def verify(
    session: Session,
    secret: str,
    token: str,
    now: datetime,
    kind: TokenKind = SESSION,
    idle: timedelta = IDLE,
) -> User | None:
    """The signed-in user the token stands for, or None when it is forged, of another
    kind, too old, or the user was deactivated or changed their password since; a
    session token also when its session was ended or sat idle past `idle`. Notes the
    session as seen (the caller commits)."""
    payload = Signer(secret, kind.salt).verify_timed(token, now, kind.max_age)
    if payload is None:
        return None
    try:
        user_id, key = int(payload["user"]), str(payload["key"])
    except (KeyError, TypeError, ValueError):
        return None
    session_key = str(payload.get("sid", ""))
    user = session.get(User, user_id)
    if user is None or not user.active or key != _fingerprint(user):
        return None
    if kind is SESSION and not current(session, session_key, user.id, now, idle):
        return None
    return user


def current(
    session: Session, key: str, user_id: int, now: datetime, idle: timedelta = IDLE
) -> bool:
    """Whether the session is still open for this user (an idle one is ended here); a
    live one is noted as seen, at most once a minute (the caller commits)."""
    row = (
        session.execute(select(UserSession).where(UserSession.key == key)).scalar_one_or_none()
        if key
        else None
    )
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return False
    if row.last_seen_at < now - idle:
        row.ended_at = now
        return False
    if row.last_seen_at < now - _SEEN_EVERY:
        row.last_seen_at = now
    return True


def end(session: Session, key: str, now: datetime) -> bool:
    """Sign-out: ends the session with this key, whatever its age."""
    if not key:
        return False
    return (
        session.execute(
            update(UserSession)
            .where(UserSession.key == key, UserSession.ended_at.is_(None))
            .values(ended_at=now)
        ).rowcount
        == 1
    )


def end_all(session: Session, user_id: int, now: datetime) -> int:
    """Every browser signed in as this user is signed out; returns how many."""
    return session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    ).rowcount


def _fingerprint(user: User) -> str:
    """Changes whenever the password does. The token is signed, not encrypted, so it
    carries a digest rather than any part of the hash itself."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
