"""Request bodies for the public routes: read up to a limit, then parsed so that no
input, however deep or large, turns into a 500. A body past its route's limit is a 413
before any of it is parsed; anything unparsable is a 400 with a short reason."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse

SMALL = 4 * 1024  # a form button or a session token
FORM = 32 * 1024  # a partner-link form: a dozen short fields, room to refuse one too long
WEBHOOK = 8 * 1024 * 1024  # SendGrid posts batches of events, well under this


class BadBody(Exception):
    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code, self.reason = status_code, reason

    def response(self) -> PlainTextResponse:
        return PlainTextResponse(
            self.reason, status_code=self.status_code, headers={"Cache-Control": "no-store"}
        )


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to pass `limit` (declared or streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BadBody(413, f"body too large (limit {limit} bytes)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadBody(413, f"body too large (limit {limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes | str) -> Any:
    try:
        return json.loads(raw)
    except RecursionError:
        raise BadBody(400, "JSON nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise BadBody(400, "not valid JSON") from None
