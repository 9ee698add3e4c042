"""GET /r/{token}: a review link from a patient's email or the front desk's QR code.
It records the click (or scan) and answers 303 to the location's review page; a HEAD,
as mail scanners send, gets the same answer and records nothing. A forged
or altered token, or one whose request or location has no review page any more, gets a
400 with a generic message that says nothing about who or what is on file."""

from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from campaigns.reviews.clicks import destination, follow
from campaigns.reviews.links import ReviewLink, verify
from crm import clock
from crm.db import engine_for, session_scope
from crm.settings import Settings
from ui.public.frame import HEADERS, invalid, with_token

ADVICE = "This review link is not valid. Please use the link from the most recent email you received from us."


async def review_link(request: Request) -> Response:
    async def forward(settings: Settings, link: ReviewLink) -> Response:
        target = await run_in_threadpool(
            _follow, settings, link, clock.now(), request.method == "HEAD"
        )
        if target is None:
            return invalid(settings, ADVICE)
        return RedirectResponse(target, status_code=303, headers=HEADERS)

    return await with_token(request, verify, ADVICE, forward)


def _follow(settings: Settings, link: ReviewLink, now: datetime, looking_only: bool) -> str | None:
    with session_scope(engine_for(settings.database_url)) as session:
        return destination(session, link) if looking_only else follow(session, link, now)


def routes() -> list[BaseRoute]:
    return [Route("/r/{token}", review_link, methods=["GET"])]
