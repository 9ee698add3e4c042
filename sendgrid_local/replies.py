"""The request and answer types shared by the handlers, and SendGrid's error shape."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .spec import FieldError


@dataclass(frozen=True)
class Request:
    """An HTTP request as the handlers see it; header names are lower-case."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


class Drop:
    """Close the connection without any answer: the client sees a connection error."""


DROP = Drop()


def json_reply(status: int, data: Any, headers: Iterable[tuple[str, str]] = ()) -> Reply:
    body = json.dumps(data, separators=(",", ":")).encode()
    return Reply(status, (("Content-Type", "application/json"), *headers), body)


def error_reply(
    status: int, errors: Iterable[FieldError], headers: Iterable[tuple[str, str]] = ()
) -> Reply:
    """SendGrid's error body: `{"errors": [{"message", "field", "help"}]}`."""
    listed = [{"message": e.message, "field": e.field, "help": None} for e in errors]
    return json_reply(status, {"errors": listed}, headers)


def problem(status: int, message: str) -> Reply:
    """An error about the request as a whole, with no field to blame."""
    return error_reply(status, [FieldError(None, message)])
