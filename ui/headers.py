"""Security headers on every HTTP response the app serves: Streamlit's pages and files
and the public routes beside them.

Everything: no MIME sniffing, no referrer (the public links carry tokens). The public
pages (unsubscribe, RSVP, review links, partner links, guides, the API) are plain HTML of our own: a
strict Content-Security-Policy, and no framing at all, so a confirmation button cannot
be clickjacked. Streamlit's pages frame their own components, so they may be framed by
the app itself only. Strict-Transport-Security when the public URL is https."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import MutableHeaders

from crm import settings as settings_module
from crm.settings import SettingsError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]

PUBLIC_PREFIXES = ("/api/", "/unsubscribe/", "/rsvp/", "/r/", "/p/", "/guides/")
PUBLIC_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
EVERYWHERE = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
PUBLIC = {**EVERYWHERE, "X-Frame-Options": "DENY", "Content-Security-Policy": PUBLIC_POLICY}
APP = {
    **EVERYWHERE,
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
}
HSTS = {"Strict-Transport-Security": "max-age=31536000"}


def headers_for(path: str, https: bool) -> dict[str, str]:
    chosen = PUBLIC if path.startswith(PUBLIC_PREFIXES) else APP
    return {**chosen, **HSTS} if https else chosen


def _https() -> bool:
    try:
        return settings_module.get().public_url.startswith("https://")
    except SettingsError:
        return False


class SecurityHeaders:
    """ASGI middleware; a header a route set itself is left as it is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = headers_for(scope.get("path", ""), _https())

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
