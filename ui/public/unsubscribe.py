"""Unsubscribe links, served by st.App without sign-in.

- GET /unsubscribe/{token}: a confirmation page with one button. It changes nothing,
  because mail scanners and link previews open every link in an email.
- POST /unsubscribe/{token}: records the unsubscribe at once, whether it comes from
  the page's button or from a mailbox provider's RFC 8058 one-click request (a body of
  `List-Unsubscribe=One-Click`).

An invalid token gets a 400 with a generic message. Every answer for a valid token is
the same whether or not the address is known or already suppressed, so the pages
cannot be used to learn who is on file. Only the address inside the token is ever
unsubscribed: the request body is not read for one."""

from __future__ import annotations

from datetime import datetime
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from campaigns.mail import suppressions
from campaigns.mail.unsubscribe import UnsubscribeRequest, verify
from crm import clock
from crm.db import engine_for, session_scope
from crm.settings import Settings
from ui.public.bodies import SMALL, BadBody, read_limited
from ui.public.frame import page, with_token

ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


ADVICE = (
    "This unsubscribe link is not valid. Please use the link from the most recent email "
    "you received, or reply to that email and ask us to stop."
)


async def confirm_page(request: Request) -> Response:
    async def ask(settings: Settings, wanted: UnsubscribeRequest) -> Response:
        form = (
            f'<form method="post"><button type="submit">Unsubscribe {escape(masked(wanted.email))}</button>'
            f"</form>"
        )
        return page(
            settings,
            "Unsubscribe",
            f"<p>Stop receiving emails from {escape(settings.practice_name)} at this address?</p>{form}",
        )

    return await with_token(request, verify, ADVICE, ask)


async def unsubscribe(request: Request) -> Response:
    async def record(settings: Settings, wanted: UnsubscribeRequest) -> Response:
        try:
            body = (await read_limited(request, SMALL)).decode(errors="replace")
        except BadBody as error:
            return error.response()
        source = "one-click" if ONE_CLICK_BODY in body else "link"
        await run_in_threadpool(_record, settings, wanted, source, clock.now())
        return page(
            settings,
            "Unsubscribed",
            f"<p>You will not receive any more emails from {escape(settings.practice_name)} "
            f"at {escape(masked(wanted.email))}.</p>",
        )

    return await with_token(request, verify, ADVICE, record)


def routes() -> list[BaseRoute]:
    return [
        Route("/unsubscribe/{token}", confirm_page, methods=["GET"]),
        Route("/unsubscribe/{token}", unsubscribe, methods=["POST"]),
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
