"""Unsubscribe links and the monitoring check, served by st.App without sign-in.

- GET /unsubscribe/{token}: a confirmation page with one button. It changes nothing,
  because mail scanners and link previews open every link in an email.
- POST /unsubscribe/{token}: records the unsubscribe at once, whether it comes from
  the page's button or from a mailbox provider's RFC 8058 one-click request (a body of
  `List-Unsubscribe=One-Click`).
- GET /healthz: 200 "ok" while the database answers, else 503.

An invalid token gets a 400 with a generic message. Every answer for a valid token is
the same whether or not the address is known or already suppressed, so the pages
cannot be used to learn who is on file. Only the address inside the token is ever
unsubscribed: the request body is not read for one."""
from __future__ import annotations

from datetime import datetime
from html import escape

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from campaigns import suppressions
from campaigns.unsubscribe import UnsubscribeRequest, verify
from crm import settings as settings_module
from crm import clock
from crm.db import engine_for, session_scope
from crm.settings import Settings, SettingsError
from ui.public.bodies import SMALL, BadBody, read_limited
from ui.routes import database_answers

ONE_CLICK_BODY = "List-Unsubscribe=One-Click"
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


async def confirm_page(request: Request) -> Response:
    settings = _settings()
    if settings is None:
        return _unavailable()
    wanted = verify(settings.secret_key, request.path_params["token"])
    if wanted is None:
        return _invalid(settings)
    form = (f'<form method="post"><button type="submit">Unsubscribe {escape(masked(wanted.email))}</button>'
            f"</form>")
    return _page(settings, "Unsubscribe",
                 f"<p>Stop receiving emails from {escape(settings.practice_name)} at this address?</p>{form}")


async def unsubscribe(request: Request) -> Response:
    settings = _settings()
    if settings is None:
        return _unavailable()
    wanted = verify(settings.secret_key, request.path_params["token"])
    if wanted is None:
        return _invalid(settings)
    try:
        body = (await read_limited(request, SMALL)).decode(errors="replace")
    except BadBody as error:
        return error.response()
    source = "one-click" if ONE_CLICK_BODY in body else "link"
    try:
        await run_in_threadpool(_record, settings, wanted, source, clock.now())
    except SQLAlchemyError:
        return _unavailable()
    return _page(settings, "Unsubscribed",
                 f"<p>You will not receive any more emails from {escape(settings.practice_name)} "
                 f"at {escape(masked(wanted.email))}.</p>")


async def healthz(_request: Request) -> Response:
    ok = await run_in_threadpool(database_answers)
    return PlainTextResponse("ok" if ok else "database unavailable", status_code=200 if ok else 503,
                             headers={"Cache-Control": "no-store"})


def routes() -> list[BaseRoute]:
    return [
        Route("/unsubscribe/{token}", confirm_page, methods=["GET"]),
        Route("/unsubscribe/{token}", unsubscribe, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]


def masked(email: str) -> str:
    """Enough for the reader to recognise their address, not enough to harvest it from a
    forwarded email: m•••@clinic.org."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _record(settings: Settings, wanted: UnsubscribeRequest, source: str, now: datetime) -> None:
    note = f"message {wanted.message_key}" if wanted.message_key else ""
    with session_scope(engine_for(settings.database_url)) as session:
        suppressions.record_unsubscribe(session, wanted.email, source, now, note=note)


def _settings() -> Settings | None:
    try:
        return settings_module.get()
    except SettingsError:
        return None


def _invalid(settings: Settings) -> Response:
    return _page(settings, "Link not valid",
                 "<p>This unsubscribe link is not valid. Please use the link from the most recent email "
                 "you received, or reply to that email and ask us to stop.</p>", status_code=400)


def _unavailable() -> Response:
    return PlainTextResponse("Unavailable, please try again in a few minutes.", status_code=503, headers=_HEADERS)


def _page(settings: Settings, title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · {escape(settings.practice_name)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}}
button{{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}}</style></head>
<body><h1>{escape(title)}</h1>{body}</body></html>"""
    return HTMLResponse(html, status_code=status_code, headers=_HEADERS)
