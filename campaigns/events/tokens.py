"""Signed RSVP links. A token carries the invitee and the answer it stands for, signed
with the app's secret key under a salt of its own (so an unsubscribe or session token
is never accepted here). Changing the invitee or turning a No into a Yes breaks the
signature."""

from __future__ import annotations

from dataclasses import dataclass

from crm.settings import Settings
from crm.signing import Signer

SALT = "liaison.event-rsvp.v1"
ANSWERS = ("yes", "no")


@dataclass(frozen=True)
class RsvpRequest:
    invitee_id: int
    answer: str


def make_token(secret_key: str, invitee_id: int, answer: str) -> str:
    if answer not in ANSWERS:
        raise ValueError(f"an RSVP answer is yes or no, not {answer!r}")
    return Signer(secret_key, SALT).sign([invitee_id, answer])


def rsvp_url(settings: Settings, invitee_id: int, answer: str) -> str:
    return f"{settings.public_url}/rsvp/{make_token(settings.secret_key, invitee_id, answer)}"


def verify(secret_key: str, token: str) -> RsvpRequest | None:
    """The request the token stands for, or None when it was not made by us as it is."""
    payload = Signer(secret_key, SALT).verify(token)
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or type(payload[0]) is not int
        or payload[1] not in ANSWERS
    ):
        return None
    return RsvpRequest(invitee_id=payload[0], answer=payload[1])
