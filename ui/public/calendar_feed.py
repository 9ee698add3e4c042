"""A user's calendar feed, served by st.App without sign-in: GET /calendar/{token}.ics,
which Google Calendar, Outlook and Apple Calendar fetch every few hours.

A token we did not sign, of another kind, rotated away, or of a deactivated user gets
a 404 (the calendar then stops updating) and nothing is read. Requests are limited per
client address and per feed (a 429 that says when to come back)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from campaigns.calendar_feed import build_feed
from crm import calendar_links, clock
from crm.calendar_links import CalendarLink
from crm.db import engine_for
from crm.settings import Settings
from ui.public import limits
from ui.public.frame import HEADERS, invalid, page, with_token

ADVICE = (
    "This calendar link is not valid any more. Copy your current link from My account "
    "in Liaison and subscribe to it instead."
)
MEDIA_TYPE = "text/calendar; charset=utf-8"


def too_many(settings: Settings) -> Response:
    response = page(
        settings,
        "Please wait a few minutes",
        "<p>This calendar link was fetched many times in a short time. Your calendar will "
        "try again by itself.</p>",
        status_code=429,
    )
    response.headers["Retry-After"] = str(int(limits.WINDOW.total_seconds()))
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def feed(request: Request) -> Response:
    async def answer(settings: Settings, link: CalendarLink) -> Response:
        now = clock.now()
        if not limits.per_client.take(_client(request), now):
            return too_many(settings)
        if not limits.per_feed.take(str(link.user_id), now):
            return too_many(settings)
        body = await run_in_threadpool(_read, settings, link, now)
        if body is None:
            return invalid(settings, ADVICE, 404)
        return Response(
            body,
            media_type=MEDIA_TYPE,
            headers={**HEADERS, "Content-Disposition": 'inline; filename="liaison.ics"'},
        )

    return await with_token(request, calendar_links.verify, ADVICE, answer, refused_status=404)


def routes() -> list[BaseRoute]:
    return [Route(f"{calendar_links.PATH}{{token}}{calendar_links.SUFFIX}", feed, methods=["GET"])]


def _read(settings: Settings, link: CalendarLink, now: datetime) -> bytes | None:
    with Session(engine_for(settings.database_url)) as session:
        user = calendar_links.resolve(session, link)
        if user is None:
            return None
        return build_feed(
            session,
            user,
            domain=urlsplit(settings.public_url).hostname or "liaison",
            app_url=settings.public_url,
            zone=settings.zone,
            now=now,
        )
