"""The partner survey's pages, served by st.App without sign-in, beside the partner's
own pages under /p/.

GET (and HEAD) /p/survey/{token} change nothing: mail security scanners fetch every
link in a message, so a one-click score link (`?q=capacity&s=4`) opens a page with that
answer and one button, and the bare link opens the whole survey with the answers given
so far and the comment box. POST /p/survey/{token}, either page's button, saves what it
carries (the last answer wins) and thanks them.

A token we did not sign as it is, or one whose request no longer exists, gets a 400 with
a generic message and nothing is written. Every body is read up to `BODY_LIMIT`, and the
pages are rate-limited per link and per client address (429), so a leaked link cannot
be used to flood the results or the audit trail."""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from campaigns.surveys.links import PATH, verify
from crm import clock
from crm.db import engine_for, session_scope
from crm.errors import InvalidInput
from crm.settings import Settings
from crm.surveys import (
    COMMENT_MAX,
    QUESTIONS,
    SCORES,
    Recorded,
    SurveyView,
    check_scores,
    record_answers,
    survey_view,
)
from ui.public.bodies import BadBody, read_limited
from ui.public.frame import invalid, page, with_settings, with_token
from ui.public.limits import RateLimit

ADVICE = (
    "This survey link is not valid. Please use the link from the most recent survey email "
    "you received from us."
)
# A comment of COMMENT_MAX characters, percent-encoded at worst, and the five scores.
BODY_LIMIT = 16 * 1024
PER_LINK = 30
PER_CLIENT = 120
PRIVACY = (
    "Please do not write anything about a patient here: for a patient, call us or use our "
    "secure fax."
)


per_link = RateLimit(PER_LINK)
per_client = RateLimit(PER_CLIENT)


def _too_many(request: Request, now: datetime) -> bool:
    client = request.client.host if request.client else "unknown"
    token = request.path_params.get("token", "")
    # Both are counted, so one busy link does not spend a shared office address's room.
    link_ok = per_link.take(f"link:{token}", now)
    client_ok = per_client.take(f"client:{client}", now)
    return not (link_ok and client_ok)


def _limited(settings: Settings) -> Response:
    return page(
        settings,
        "Too many requests",
        "<p>This survey link has been used many times in a few minutes. Please wait a few "
        "minutes and try again.</p>",
        status_code=429,
    )


async def survey_page(request: Request) -> Response:
    now = clock.now()
    if _too_many(request, now):
        return await with_settings(lambda settings: _async(_limited(settings)))

    async def show(settings: Settings, request_id: int) -> Response:
        view = await run_in_threadpool(_read, settings, request_id)
        if view is None:
            return invalid(settings, ADVICE)
        chosen = _one_click(request)
        if chosen is not None:
            return _confirm(settings, view, request.path_params["token"], *chosen)
        return _whole(settings, view)

    return await with_token(request, verify, ADVICE, show)


async def answer(request: Request) -> Response:
    now = clock.now()
    if _too_many(request, now):
        return await with_settings(lambda settings: _async(_limited(settings)))

    async def save(settings: Settings, request_id: int) -> Response:
        try:
            body = await read_limited(request, BODY_LIMIT)
        except BadBody as error:
            return error.response()
        try:
            scores, comment = _parse(body)
            recorded = await run_in_threadpool(
                _record, settings, request_id, scores, comment, clock.now()
            )
        except InvalidInput as error:
            return page(settings, "Not saved", f"<p>{escape(str(error))}</p>", status_code=400)
        if recorded is None:
            return invalid(settings, ADVICE)
        return _thanks(settings, recorded, request.path_params["token"])

    return await with_token(request, verify, ADVICE, save)


async def _async(response: Response) -> Response:
    return response


def routes() -> list[BaseRoute]:
    return [
        Route(f"{PATH}/{{token}}", survey_page, methods=["GET"]),
        Route(f"{PATH}/{{token}}", answer, methods=["POST"]),
    ]


def _one_click(request: Request) -> tuple[str, int] | None:
    question, score = request.query_params.get("q", ""), request.query_params.get("s", "")
    if question in QUESTIONS and score.isdigit() and int(score) in SCORES:
        return question, int(score)
    return None


def _parse(body: bytes) -> tuple[dict[str, int], str | None]:
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("the answers could not be read; please try again") from None
    scores: dict[str, int] = {}
    for name, values in fields.items():
        if name in QUESTIONS and values[-1] != "":
            raw = values[-1]
            scores[name] = int(raw) if raw.isdigit() and len(raw) < 3 else -1
    check_scores(scores)
    comment = fields["comment"][-1] if "comment" in fields else None
    if not scores and not (comment or "").strip():
        raise InvalidInput("choose a score for at least one question, or write a comment")
    return scores, comment


def _read(settings: Settings, request_id: int) -> SurveyView | None:
    with session_scope(engine_for(settings.database_url)) as session:
        return survey_view(session, request_id)


def _record(
    settings: Settings,
    request_id: int,
    scores: dict[str, int],
    comment: str | None,
    now: datetime,
) -> Recorded | None:
    with session_scope(engine_for(settings.database_url)) as session:
        return record_answers(session, request_id, scores, comment, now, settings.zone)


def _intro(settings: Settings, view: SurveyView) -> str:
    return (
        f"<p>Hi {escape(view.contact_first_name)}, how is {escape(settings.practice_name)} doing "
        f"for {escape(view.partner_name)}? 1 is poor, 5 is excellent.</p>"
    )


def _confirm(
    settings: Settings, view: SurveyView, token: str, question: str, score: int
) -> Response:
    return page(
        settings,
        "Your answer",
        f"{_intro(settings, view)}<p>{escape(QUESTIONS[question])}</p>"
        f"<p><strong>{score} of 5</strong></p>"
        f'<form method="post"><input type="hidden" name="{question}" value="{score}">'
        f'<button type="submit">Send my answer: {score} of 5</button></form>'
        f'<p><a href="{_whole_link(token)}">Answer all five questions or leave a comment</a></p>',
    )


def _whole_link(token: str) -> str:
    """The whole survey's address relative to this page: the token is the path's last
    segment (and never holds a slash), so this drops only the one-click query."""
    return escape(token, quote=True)


def _whole(settings: Settings, view: SurveyView) -> Response:
    questions = "".join(
        f"<fieldset><legend>{escape(text)}</legend>"
        + "".join(
            f'<label style="margin-right:.8rem"><input type="radio" name="{q}" value="{s}"'
            f"{' checked' if view.scores.get(q) == s else ''}> {s}</label>"
            for s in SCORES
        )
        + "</fieldset>"
        for q, text in QUESTIONS.items()
    )
    comment = (
        f'<p><label for="comment">Anything else you would like us to know? (optional)</label><br>'
        f'<textarea id="comment" name="comment" rows="5" cols="40" maxlength="{COMMENT_MAX}">'
        f"{escape(view.comment)}</textarea><br><small>{PRIVACY}</small></p>"
    )
    return page(
        settings,
        f"Partner survey {escape(view.quarter)}",
        f'{_intro(settings, view)}<form method="post">{questions}{comment}'
        f'<button type="submit">Send</button></form>',
    )


def _thanks(settings: Settings, recorded: Recorded, token: str) -> Response:
    view: SurveyView = recorded.view
    given = "".join(
        f"<li>{escape(QUESTIONS[q])}: <strong>{view.scores[q]} of 5</strong></li>"
        for q in QUESTIONS
        if q in view.scores
    )
    missing = [q for q in QUESTIONS if q not in view.scores]
    more = (
        f'<p><a href="{_whole_link(token)}">Answer the other questions or leave a comment</a></p>'
        if missing or not view.comment
        else ""
    )
    return page(
        settings,
        "Thank you",
        f"<p>Thank you, {escape(view.contact_first_name)}: your answers are saved. You can "
        f"change them with the same link.</p><ul>{given}</ul>{more}",
    )
