"""A user's calendar feed link: one secret URL (`/calendar/<token>.ics`) that Google
Calendar, Outlook or Apple Calendar subscribe to, to show the user's tasks and events.

The token carries the user's id and their calendar version, signed through
`crm.signing` under a salt of its own, so no other kind of token opens the feed.
Rotating raises the version kept on the user: every link made before then still
verifies as ours but no longer resolves, so a link pasted in the wrong place can be
shut off without changing the secret key for everyone. Resolving never raises: a
forged, foreign, rotated or deactivated user's link is simply None."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_admin
from crm.errors import NotFound
from crm.models import User
from crm.settings import Settings
from crm.signing import Signer

SALT = "liaison.calendar-feed.v1"
PATH = "/calendar/"
SUFFIX = ".ics"


@dataclass(frozen=True)
class CalendarLink:
    """What a verified token says; `resolve` decides whether it still opens the feed."""

    user_id: int
    version: int


def make_token(secret_key: str, user_id: int, version: int) -> str:
    return Signer(secret_key, SALT).sign_versioned(user_id, version)


def feed_url(settings: Settings, user: User) -> str:
    """The user's feed as it is now, for Google Calendar's and Outlook's "from URL"."""
    token = make_token(settings.secret_key, user.id, user.calendar_version)
    return f"{settings.public_url}{PATH}{token}{SUFFIX}"


def webcal_url(settings: Settings, user: User) -> str:
    """The same feed under webcal://, which opens Apple Calendar's subscribe dialog."""
    url = urlsplit(feed_url(settings, user))
    return url._replace(scheme="webcal").geturl()


def verify(secret_key: str, token: str) -> CalendarLink | None:
    """The user and version the token names, or None when we did not sign it as it is."""
    named = Signer(secret_key, SALT).verify_versioned(token)
    return None if named is None else CalendarLink(*named)


def resolve(session: Session, link: CalendarLink) -> User | None:
    """The user whose current feed this is; None for a rotated link, or a user who is
    deactivated or gone (the feed then answers as for a forged link)."""
    user = session.get(User, link.user_id)
    if user is None or not user.active or user.calendar_version != link.version:
        return None
    return user


def rotate(session: Session, actor: Actor, user_id: int, now: datetime) -> User:
    """A new feed link for the user; calendars subscribed to the old one stop getting
    updates at once. Anyone for themselves, an admin for anyone."""
    if actor.id != user_id:
        require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    before = user.calendar_version
    user.calendar_version = before + 1
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "rotate link",
        "user",
        user.id,
        {"calendar_version": [before, user.calendar_version]},
        now,
    )
    return user
