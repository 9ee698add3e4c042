"""`POST /v3/mail/send`: validate against the spec, record the message, answer 202."""

from __future__ import annotations

import gzip
import json
import secrets
from collections.abc import Callable

from .replies import Reply, Request, error_reply, problem
from .spec import Operation
from .store import RECORDED_HEADERS, Delivery, Store


def send_mail(
    operation: Operation,
    request: Request,
    store: Store,
    now: Callable[[], float],
    on_accept: Callable[[Delivery], None] | None = None,
) -> Reply:
    """Accept the message only when SendGrid would; anything accepted counts as
    delivered, which is what the idempotency tests count."""
    params, errors = operation.read_parameters(request.query, request.headers)
    if errors:
        return error_reply(400, errors)
    try:
        payload = json.loads(_decoded(request.body, params.get("Content-Encoding")))
    except (ValueError, OSError, EOFError):
        return problem(400, "Bad Request")
    errors = operation.body_errors(payload)
    if errors:
        return error_reply(400, errors)
    message_id = secrets.token_urlsafe(16)  # 22 characters, like SendGrid's ids
    headers = {name: request.headers[name] for name in RECORDED_HEADERS if name in request.headers}
    delivery = Delivery(message_id, now(), headers, payload)
    store.record(delivery)
    if on_accept is not None:
        on_accept(delivery)
    return Reply(202, (("X-Message-Id", message_id),))


def _decoded(body: bytes, encoding: str | None) -> bytes:
    """The spec allows a gzip-compressed body when the header says so."""
    return gzip.decompress(body) if encoding == "gzip" else body
