"""POST /api/sendgrid/events: SendGrid's signed Event Webhook.

Answers, in the order they are checked:
- 503 when no verification key is configured (nothing is ever accepted unsigned) or
  the database is unavailable; SendGrid retries 5xx answers.
- 401 when either signature header is missing.
- 403 when the signature does not verify or the timestamp is further than
  LIAISON_SENDGRID_WEBHOOK_MAX_AGE_SECONDS from now (either way).
- 413 when the body passes the size limit, before anything else is read of it.
- 400 when the verified body is not a JSON array (or is nested too deeply to parse).
- 409 when the same signed post was accepted before (a replay); nothing changes.
- 200 with {"received", "stored", "matched", "suppressed"} when applied.
SendGrid treats any 2xx as delivered and retries the rest for up to 72 hours."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from campaigns.mail.webhook.events import ApplyReport
from campaigns.mail.webhook.receipts import receive
from campaigns.mail.webhook.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, is_fresh, verify
from crm import clock
from crm import settings as settings_module
from crm.db import engine_for, session_scope
from crm.settings import Settings, SettingsError
from ui.public.bodies import WEBHOOK, BadBody, parse_json, read_limited

PATH = "/api/sendgrid/events"
_HEADERS = {"Cache-Control": "no-store"}


async def sendgrid_events(request: Request) -> Response:
    try:
        settings = settings_module.get()
    except SettingsError:
        return _answer(503, "unavailable")
    if not settings.sendgrid_webhook_public_key:
        return _answer(503, "the event webhook is not configured")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    if not signature.strip() or not timestamp.strip():
        return _answer(401, "signature headers missing")
    try:
        body = (await read_limited(request, WEBHOOK)).decode("utf-8")
    except BadBody as error:
        return _answer(error.status_code, error.reason)
    except UnicodeDecodeError:
        return _answer(403, "signature does not verify")
    now = clock.now()
    if not verify(body, signature, timestamp, settings.sendgrid_webhook_public_key):
        return _answer(403, "signature does not verify")
    if not is_fresh(timestamp, now, settings.sendgrid_webhook_max_age_seconds):
        return _answer(403, "timestamp outside the accepted window")
    try:
        events = parse_json(body)
    except BadBody as error:
        return _answer(400, error.reason)
    if not isinstance(events, list):
        return _answer(400, "expected a JSON array of events")
    try:
        report = await run_in_threadpool(_receive, settings, body, timestamp, events, now)
    except SQLAlchemyError:
        return _answer(503, "unavailable")
    if report is None:
        return _answer(409, "already received")
    return JSONResponse(
        {
            "received": report.received,
            "stored": report.stored,
            "matched": report.matched,
            "suppressed": report.suppressed,
        },
        headers=_HEADERS,
    )


def routes() -> list[BaseRoute]:
    return [Route(PATH, sendgrid_events, methods=["POST"])]


def _receive(
    settings: Settings, body: str, timestamp: str, events: list, now: datetime
) -> ApplyReport | None:
    with session_scope(engine_for(settings.database_url)) as session:
        return receive(session, body, timestamp, events, now)


def _answer(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status, headers=_HEADERS)
