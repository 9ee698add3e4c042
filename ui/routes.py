"""Public HTTP routes served beside the Streamlit pages (no sign-in). Streamlit
reserves /_stcore/, /media/, /component/ and /static/, so ours live under /api/."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from crm import clock, sessions
from crm import settings as settings_module
from crm.db import engine_for, session_scope
from crm.settings import Settings, SettingsError
from ui.public import (
    bodies,
    calendar_feed,
    guides,
    health,
    partner_link,
    review_link,
    rsvp,
    sendgrid_events,
    survey,
    unsubscribe,
)
from ui.public.bodies import BadBody, parse_json, read_limited

SESSION_COOKIE = "liaison_session"

# Handoff tokens already traded for a cookie, with when each would expire anyway: a
# token that leaked (a log, a screenshot) cannot be traded a second time.
_spent_handoffs: dict[str, datetime] = {}


def same_origin(request: Request) -> bool:
    """Whether a browser sent this from one of the app's own pages: `Sec-Fetch-Site`
    where the browser sends it, else `Origin` against the address asked for or the
    public URL. Neither, as a non-browser or a very old browser sends, is refused: these
    routes only ever serve the app's own pages."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin", "").rstrip("/")
    if not origin or origin == "null":
        return False
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    try:
        public = settings_module.get().public_url
    except SettingsError:
        public = ""
    parts = urlsplit(public)
    return origin in (own, f"{parts.scheme}://{parts.netloc}")


def _cross_site() -> Response:
    return Response("Refused: not sent from this app's own page.", status_code=403)


async def start_session(request: Request) -> Response:
    """Trades the handoff token the sign-in page just received for the session cookie,
    which a Streamlit page cannot set itself. 204 with the cookie, 403 without; 403 too
    when another site sends it (signing a visitor in to an account of its choosing)."""
    if not same_origin(request):
        return _cross_site()
    try:
        body = parse_json(await read_limited(request, bodies.SMALL))
    except BadBody as error:
        return error.response()
    if not isinstance(body, dict) or not isinstance(body.get("token"), str):
        return Response("Expected a JSON body with a token.", status_code=400)
    handoff = body["token"]
    now = clock.now()
    try:
        settings = settings_module.get()
        token = await run_in_threadpool(_session_token, settings, handoff, now)
    except (SettingsError, SQLAlchemyError):
        return Response(status_code=503)
    if token is None or not _spend(handoff, now):
        return Response(status_code=403)
    response = Response(status_code=204)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(sessions.SESSION.max_age.total_seconds()),
        **_cookie_flags(settings),
    )
    return response


async def end_session(request: Request) -> Response:
    """Sign-out: the session the cookie names ends on the server, and the browser forgets
    the cookie, so neither a reload nor a copy of the cookie signs anyone in again."""
    if not same_origin(request):
        return _cross_site()
    settings = settings_module.get()
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        try:
            await run_in_threadpool(
                _end, settings, sessions.key_of(settings.secret_key, token), clock.now()
            )
        except SQLAlchemyError:
            return Response(status_code=503)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, **_cookie_flags(settings))
    return response


def _end(settings: Settings, key: str, now: datetime) -> None:
    with session_scope(engine_for(settings.database_url)) as session:
        sessions.end(session, key, now)


def _session_token(settings: Settings, handoff: str, now: datetime) -> str | None:
    with session_scope(engine_for(settings.database_url)) as session:
        return sessions.trade(session, settings.secret_key, handoff, now)


def _spend(handoff: str, now: datetime) -> bool:
    """False when the token was traded before. Runs on the event loop, so never twice at once."""
    for token, expires in list(_spent_handoffs.items()):
        if expires < now:
            del _spent_handoffs[token]
    if handoff in _spent_handoffs:
        return False
    _spent_handoffs[handoff] = now + sessions.HANDOFF.max_age
    return True


def _cookie_flags(settings: Settings) -> dict:
    # HttpOnly keeps scripts from reading it; Lax keeps other sites' forms from sending it.
    return {
        "path": "/",
        "httponly": True,
        "samesite": "lax",
        "secure": settings.public_url.startswith("https://"),
    }


def public_routes() -> list[BaseRoute]:
    return [
        *health.routes(),
        Route("/api/session", start_session, methods=["POST"]),
        Route("/api/session/end", end_session, methods=["POST"]),
        *unsubscribe.routes(),
        *review_link.routes(),
        *rsvp.routes(),
        # Before the partner link's /p/{token} routes, so /p/survey/... is the survey's.
        *survey.routes(),
        *partner_link.routes(),
        *guides.routes(),
        *calendar_feed.routes(),
        *sendgrid_events.routes(),
    ]
