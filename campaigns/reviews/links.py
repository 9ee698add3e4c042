"""Signed review links. A patient's link names their review request; the front desk's
QR code names a location. Either is signed with the app's secret key under a salt of
its own, so an unsubscribe or session token is never accepted here and changing the id
inside a token breaks its signature. The destination is never in the token: it is read
from the location's review URL, so a link cannot be turned into an open redirect."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crm.settings import Settings
from crm.signing import Signer

SALT = "liaison.review-link.v1"
REQUEST, LOCATION = "q", "l"


@dataclass(frozen=True)
class ReviewLink:
    kind: Literal["q", "l"]
    id: int


def make_token(secret_key: str, kind: Literal["q", "l"], target_id: int) -> str:
    return Signer(secret_key, SALT).sign([kind, target_id])


def request_url(settings: Settings, request_id: int) -> str:
    return f"{settings.public_url}/r/{make_token(settings.secret_key, REQUEST, request_id)}"


def location_url(settings: Settings, location_id: int) -> str:
    return f"{settings.public_url}/r/{make_token(settings.secret_key, LOCATION, location_id)}"


def verify(secret_key: str, token: str) -> ReviewLink | None:
    """What the token stands for, or None when we did not make it as it is."""
    payload = Signer(secret_key, SALT).verify(token)
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or payload[0] not in (REQUEST, LOCATION)
        or type(payload[1]) is not int
    ):
        return None
    return ReviewLink(kind=payload[0], id=payload[1])
