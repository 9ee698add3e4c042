"""The frame every page open without sign-in shares: the settings or a 503, a token we
signed or a 400 that says nothing about who is on file, the work off the event loop, and
one plain page. Pages differ only in what they say and do inside it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from crm import settings as settings_module
from crm.settings import Settings, SettingsError

T = TypeVar("T")

HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def current_settings() -> Settings | None:
    try:
        return settings_module.get()
    except SettingsError:
        return None


def unavailable() -> Response:
    return PlainTextResponse(
        "Unavailable, please try again in a few minutes.", status_code=503, headers=HEADERS
    )


def page(settings: Settings, title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · {escape(settings.practice_name)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}}
button{{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}}</style></head>
<body><h1>{escape(title)}</h1>{body}</body></html>"""
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def invalid(settings: Settings, advice: str, status_code: int = 400) -> HTMLResponse:
    return page(settings, "Link not valid", f"<p>{advice}</p>", status_code=status_code)


async def with_settings(answer: Callable[[Settings], Awaitable[Response]]) -> Response:
    settings = current_settings()
    if settings is None:
        return unavailable()
    try:
        return await answer(settings)
    except SQLAlchemyError:
        return unavailable()


async def with_token(
    request: Request,
    verify: Callable[[str, str], T | None],
    advice: str,
    answer: Callable[[Settings, T], Awaitable[Response]],
    refused_status: int = 400,
) -> Response:
    """`answer` runs only for a token we signed; `advice` tells the holder of any other
    token what to do instead, under `refused_status` (a 404 where a link that once
    worked can be withdrawn, as a rotated partner link is)."""

    async def checked(settings: Settings) -> Response:
        wanted = verify(settings.secret_key, request.path_params["token"])
        if wanted is None:
            return invalid(settings, advice, refused_status)
        return await answer(settings, wanted)

    return await with_settings(checked)
