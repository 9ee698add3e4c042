"""Signed survey links. A token names one survey request (one contact, one quarter),
signed with the app's secret key under a salt of its own, so an unsubscribe, RSVP,
review or session token is never accepted here and changing the id inside a token
breaks its signature. The question and score of a one-click link ride in the query
string: anyone holding the request's token may answer any question of it anyway, and the
page asks them to confirm before anything is saved."""

from __future__ import annotations

from urllib.parse import urlencode

from crm.settings import Settings
from crm.signing import Signer
from crm.surveys import QUESTIONS, SCORES

SALT = "liaison.partner-survey.v1"
KIND = "survey"
PATH = "/p/survey"


def make_token(secret_key: str, request_id: int) -> str:
    return Signer(secret_key, SALT).sign([KIND, request_id])


def verify(secret_key: str, token: str) -> int | None:
    """The survey request's id, or None when we did not make the token as it is."""
    payload = Signer(secret_key, SALT).verify(token)
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or payload[0] != KIND
        or type(payload[1]) is not int
    ):
        return None
    return payload[1]


def survey_url(settings: Settings, request_id: int) -> str:
    return f"{settings.public_url}{PATH}/{make_token(settings.secret_key, request_id)}"


def score_url(settings: Settings, request_id: int, question: str, score: int) -> str:
    if question not in QUESTIONS or score not in SCORES:
        raise ValueError(f"no survey answer {question}={score}")
    return f"{survey_url(settings, request_id)}?{urlencode({'q': question, 's': score})}"


def score_links(settings: Settings, request_id: int) -> dict[str, list[str]]:
    """Per question, the five one-click links for scores 1 to 5, in order."""
    token = make_token(settings.secret_key, request_id)
    base = f"{settings.public_url}{PATH}/{token}"
    return {q: [f"{base}?{urlencode({'q': q, 's': s})}" for s in SCORES] for q in QUESTIONS}
