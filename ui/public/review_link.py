"""GET /r/{token}: a review link from a patient's email or the front desk's QR code.
It records the click (or scan) and answers 303 to the location's review page; a HEAD,
as mail scanners send, gets the same answer and records nothing. A forged
or altered token, or one whose request or location has no review page any more, gets a
400 with a generic message that says nothing about who or what is on file."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from campaigns.reviews.clicks import destination, follow
from campaigns.reviews.links import ReviewLink, verify
from crm import clock
from crm.db import engine_for, session_scope
from crm.settings import Settings
from ui.public.unsubscribe import _HEADERS, _page, _settings, _unavailable


async def review_link(request: Request) -> Response:
    settings = _settings()
    if settings is None:
        return _unavailable()
    link = verify(settings.secret_key, request.path_params["token"])
    if link is None:
        return _invalid(settings)
    try:
        destination = await run_in_threadpool(_follow, settings, link, clock.now(), request.method == "HEAD")
    except SQLAlchemyError:
        return _unavailable()
    if destination is None:
        return _invalid(settings)
    return RedirectResponse(destination, status_code=303, headers=_HEADERS)


def _follow(settings: Settings, link: ReviewLink, now: datetime, looking_only: bool) -> str | None:
    with session_scope(engine_for(settings.database_url)) as session:
        return destination(session, link) if looking_only else follow(session, link, now)


def _invalid(settings: Settings) -> Response:
    return _page(settings, "Link not valid",
                 "<p>This review link is not valid. Please use the link from the most recent email "
                 "you received from us.</p>", status_code=400)


def routes() -> list[BaseRoute]:
    return [Route("/r/{token}", review_link, methods=["GET"])]
