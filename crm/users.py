"""Users, sign-in and the lockout that slows down password guessing."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from crm import audit, sessions, validation
from crm.access import SYSTEM, Actor, require_admin
from crm.errors import InvalidInput, LiaisonError
from crm.models import User
from crm.vocab import Role

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class SignInError(LiaisonError):
    """The email, the password or a lockout refused a sign-in; the message says which."""


class UserError(InvalidInput):
    pass


def actor_for(user: User) -> Actor:
    return Actor(id=user.id, role=Role(user.role), name=user.name or user.email)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def create_user(
    session: Session,
    actor: Actor,
    email: str,
    role: str,
    password: str,
    now: datetime,
    name: str = "",
) -> User:
    require_admin(actor)
    address = validation.email(email)
    if session.exec(select(User).where(User.email == address)).first():
        raise UserError(f"a user with email {address} already exists")
    user = User(
        email=address,
        name=name.strip(),
        role=Role.parse(role).value,
        password_hash=hash_password(password),
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "create", "user", user.id, {"email": address, "role": user.role}, now
    )
    return user


def update_user(
    session: Session,
    actor: Actor,
    user_id: int,
    now: datetime,
    *,
    role: str | None = None,
    active: bool | None = None,
    name: str | None = None,
    password: str | None = None,
) -> User:
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise UserError("no such user")
    values: dict[str, object] = {}
    if role is not None:
        values["role"] = Role.parse(role).value
    if active is not None:
        values["active"] = active
    if name is not None:
        values["name"] = name.strip()
    changes = audit.diff(user, values)
    if user.role == Role.ADMIN and (
        values.get("role", "admin") != "admin" or values.get("active") is False
    ):
        if _active_admins(session) <= 1:
            raise UserError("the last active admin cannot be demoted or deactivated")
    for field, value in values.items():
        setattr(user, field, value)
    if password is not None:
        user.password_hash = hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        changes["password"] = ["***", "***"]
    if password is not None or values.get("active") is False:
        sessions.end_all(session, user.id, now)
    if changes:
        audit.record(session, actor, "update", "user", user.id, changes, now)
    return user


def sign_out_everywhere(session: Session, actor: Actor, user_id: int, now: datetime) -> int:
    """Ends every session of the user (a lost laptop, a shared computer): an admin for
    anyone, anyone for themselves. Returns how many were ended."""
    if actor.id != user_id:
        require_admin(actor)
    ended = sessions.end_all(session, user_id, now)
    audit.record(session, actor, "sign_out_all", "user", user_id, {"sessions": ended}, now)
    return ended


def _active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active)
    return session.exec(query).one()


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.email)))


def authenticate(session: Session, email: str, password: str, now: datetime) -> User:
    """The user, or SignInError. Five failures in a row lock the account for 15 minutes;
    the message never says whether the email exists.

    Each guess takes its place in the count with one conditional UPDATE before the
    password is checked, so guesses sent in parallel (tabs, sessions, processes) are
    refused unchecked once five are taken: never more than five are evaluated before the
    lock, whatever the concurrency."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        raise SignInError("wrong email or password")
    if not _take_attempt(session, user.id, now):
        raise SignInError(_locked_message(session, user.id, now))
    if not _verify(user.password_hash, password):
        _lock_when_spent(session, user.id, now)
        raise SignInError("wrong email or password")
    session.refresh(user)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.commit()
    return user


def _take_attempt(session: Session, user_id: int, now: datetime) -> bool:
    taken = (
        session.execute(
            update(User)
            .where(
                User.id == user_id,
                User.failed_logins < MAX_FAILED_SIGN_INS,
                or_(User.locked_until.is_(None), User.locked_until <= now),
            )
            .values(failed_logins=User.failed_logins + 1, locked_until=None)
        ).rowcount
        == 1
    )
    session.commit()
    if not taken:
        _lock_when_spent(
            session, user_id, now
        )  # five taken and none locked yet (a crash mid-check)
    return taken


def _lock_when_spent(session: Session, user_id: int, now: datetime) -> None:
    """The first to find all five attempts spent locks the account (and starts the count
    again for when the lock ends); the others find it locked and change nothing."""
    locked = (
        session.execute(
            update(User)
            .where(
                User.id == user_id,
                User.failed_logins >= MAX_FAILED_SIGN_INS,
                or_(User.locked_until.is_(None), User.locked_until <= now),
            )
            .values(locked_until=now + LOCKOUT, failed_logins=0)
        ).rowcount
        == 1
    )
    if locked:
        audit.record(session, SYSTEM, "lock", "user", user_id, {"reason": "failed sign-ins"}, now)
    session.commit()


def _locked_message(session: Session, user_id: int, now: datetime) -> str:
    until = session.execute(select(User.locked_until).where(User.id == user_id)).scalar_one()
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=now.tzinfo)
    left = (until - now) if until is not None and until > now else LOCKOUT
    minutes = max(1, int(left.total_seconds() // 60) + 1)
    return f"too many failed attempts: this account is locked for {minutes} more minutes"


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def ensure_first_admin(session: Session, email: str, password: str, now: datetime) -> str | None:
    """On a database with no users, create the first admin from the settings, or with a
    one-time password that is returned for printing. Returns None when nothing was done
    or the password came from the settings."""
    if session.exec(select(func.count()).select_from(User)).one() > 0:
        return None
    generated = None
    if not password:
        generated = secrets.token_urlsafe(12)
        password = generated
    create_user(
        session,
        SYSTEM,
        email or "admin@example.com",
        Role.ADMIN.value,
        password,
        now,
        name="Administrator",
    )
    return generated


def set_monthly_report(
    session: Session, actor: Actor, user_id: int, wanted: bool, now: datetime
) -> User:
    """Whether the user gets the monthly leadership report by email: their own choice,
    or an admin's for anyone."""
    if actor.id != user_id:
        require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise UserError("no such user")
    if user.monthly_report != wanted:
        audit.record(
            session,
            actor,
            "update",
            "user",
            user.id,
            {"monthly_report": [user.monthly_report, wanted]},
            now,
        )
        user.monthly_report = wanted
    return user
