"""The survey's signed links and its public pages in a real HTTP server: a score link
opens a page that changes nothing until its button is pressed; tampered and foreign
tokens are refused with nothing written; bodies and request rates are limited."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from itsdangerous import URLSafeSerializer
from sqlmodel import select

from campaigns.events.tokens import make_token as rsvp_token
from campaigns.surveys.links import SALT, make_token, score_url, verify
from crm.models import AuditLog, Message, SurveyAnswer, SurveyRequest
from tests.apptest import app_database  # noqa: F401
from tests.factories import make_contact, make_partner
from tests.public_site import serving
from tests.survey_helpers import KEY, requests, send, settings, static_segment
from ui.public import survey
from ui.routes import public_routes


def test_a_token_names_one_request_and_cannot_be_altered():
    assert verify(KEY, make_token(KEY, 42)) == 42
    _, signature = make_token(KEY, 42).split(".")
    other = make_token(KEY, 43).split(".")[0]
    assert verify(KEY, f"{other}.{signature}") is None
    assert verify(KEY, URLSafeSerializer("guessed", salt=SALT).dumps(["survey", 42])) is None
    assert verify(KEY, rsvp_token(KEY, 42, "yes")) is None


def test_a_score_link_carries_the_question_and_score():
    url = score_url(settings(), 42, "capacity", 4)
    assert url.startswith("https://crm.example.org/p/survey/") and url.endswith("?q=capacity&s=4")


def test_the_route_sits_with_the_partners_pages_and_before_any_of_theirs():
    paths = [getattr(route, "path", "") for route in public_routes()]
    assert "/p/survey/{token}" in paths
    mine = paths.index("/p/survey/{token}")
    assert all(not p.startswith("/p/{") for p in paths[:mine])


@dataclass
class Answer:
    status: int
    body: str


def call(url: str, data: dict | bytes | None = None) -> Answer:
    body = data if isinstance(data, bytes) or data is None else urlencode(data).encode()
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode())


@pytest.fixture
def asked(app_database, session, marketer):  # noqa: F811  # type: ignore[no-untyped-def]
    survey.per_link.clear()
    survey.per_client.clear()
    partner = make_partner(session, name="Riverside FM")
    make_contact(session, partner, role="physician", first_name="Robin")
    send(session, marketer, static_segment(session, marketer, [partner]))
    (request,) = requests(session)
    with serving(survey.routes()) as host:
        yield f"http://{host}", request
    survey.per_link.clear()
    survey.per_client.clear()


def _answers(session):  # type: ignore[no-untyped-def]
    session.expire_all()
    return {a.question: a.score for a in session.exec(select(SurveyAnswer))}


def test_a_score_link_asks_to_confirm_and_changes_nothing_until_the_button(asked, session):
    base, request = asked
    url = f"{base}/p/survey/{make_token(KEY, request.id)}"
    page = call(f"{url}?q=capacity&s=4")
    assert page.status == 200 and "Send my answer: 4 of 5" in page.body
    assert "Robin" in page.body and "Riverside FM" in page.body
    assert _answers(session) == {}

    saved = call(url, {"capacity": "4"})
    assert saved.status == 200 and "Thank you" in saved.body
    assert _answers(session) == {"capacity": 4}


def test_the_whole_survey_takes_every_score_and_a_comment_and_shows_them_again(asked, session):
    base, request = asked
    url = f"{base}/p/survey/{make_token(KEY, request.id)}"
    scores = {"communication": "5", "credibility": "4", "capacity": "2", "consistency": "4"}
    call(url, {**scores, "recommend": "5", "comment": "Reports <b>faster</b> please"})
    call(url, {"recommend": "3"})
    assert _answers(session) == {**{q: int(s) for q, s in scores.items()}, "recommend": 3}
    page = call(url)
    assert 'name="recommend" value="3" checked' in page.body
    assert "Reports &lt;b&gt;faster&lt;/b&gt; please" in page.body
    session.expire_all()
    assert session.get(SurveyRequest, request.id).comment == "Reports <b>faster</b> please"


@pytest.mark.parametrize(
    "token",
    [
        lambda rid: make_token(KEY, rid) + "x",  # tampered
        lambda rid: make_token("another-key", rid),  # not ours
        lambda rid: make_token(KEY, rid + 1000),  # ours, but no such request
        lambda rid: rsvp_token(KEY, rid, "yes"),  # another kind of link
    ],
)
def test_tampered_and_foreign_tokens_are_refused_with_nothing_written(asked, session, token):
    base, request = asked
    before = session.exec(select(AuditLog.id)).all()
    url = f"{base}/p/survey/{token(request.id)}"
    for answer in (call(f"{url}?q=capacity&s=1"), call(url, {"capacity": "1"})):
        assert answer.status == 400 and "not valid" in answer.body
        assert "Robin" not in answer.body
    assert _answers(session) == {}
    session.expire_all()
    assert session.exec(select(AuditLog.id)).all() == before


@pytest.mark.parametrize(
    "body, reason",
    [
        ({"capacity": "9"}, "whole number from 1 to 5"),
        ({"capacity": "abc"}, "whole number from 1 to 5"),
        ({"comment": "x" * 1001}, "at most 1,000"),
        ({}, "at least one question"),
    ],
)
def test_bad_answers_are_refused_with_the_reason_and_nothing_written(asked, session, body, reason):
    base, request = asked
    answer = call(f"{base}/p/survey/{make_token(KEY, request.id)}", body or b"")
    assert answer.status == 400 and reason in answer.body
    assert _answers(session) == {}


def test_a_body_past_the_limit_is_refused_before_it_is_read(asked, session):
    base, request = asked
    url = f"{base}/p/survey/{make_token(KEY, request.id)}"
    assert call(url, b"comment=" + b"x" * (survey.BODY_LIMIT + 1)).status == 413
    assert _answers(session) == {}


def test_too_many_requests_on_one_link_get_a_429(asked, session):
    base, request = asked
    url = f"{base}/p/survey/{make_token(KEY, request.id)}"
    answers = [call(url).status for _ in range(survey.PER_LINK + 1)]
    assert answers[:-1] == [200] * survey.PER_LINK and answers[-1] == 429
    assert call(url, {"capacity": "1"}).status == 429
    assert _answers(session) == {}


def test_a_score_link_from_the_email_opens_its_confirm_page(asked, session):
    base, request = asked
    session.expire_all()
    (message,) = session.exec(select(Message).where(Message.kind == "survey")).all()
    link = next(
        line.split(": ", 1)[1]
        for line in message.text.splitlines()
        if line.strip().startswith("2: ") and "q=capacity" in line
    )
    page = call(link.replace(settings().public_url, base).replace("https://", "http://"))
    assert page.status == 200 and "Send my answer: 2 of 5" in page.body
    assert "appointment quickly" in page.body
