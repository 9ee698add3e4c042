"""One kept HTTP connection for SendGrid's Mail Send, under the official `sendgrid` library.

The library's HTTP layer (python_http_client over urllib) opens a new connection for
every call; at outbox volumes setting up the connection costs more than the send. The
library still builds the request body (`Mail.get()`), knows the host and makes the
headers (API key, user agent); the body is posted through a urllib3 pool that keeps one
connection (the dispatcher gives each worker thread its own transport, so its own pool).

urllib3 never retries here: a retried POST could send an email twice. The pool checks a
kept connection before reusing it and replaces one the server has closed, and one idle
longer than IDLE_LIMIT_SECONDS is not reused at all (the server may close it while the
request is on its way), so a stale connection is not mistaken for a send that may have
gone out. What fails while connecting (TCP or TLS) raises NotSent; any other failure
comes after bytes of the request may have left, and the message may have been accepted."""

from __future__ import annotations

import time

import python_http_client
import urllib3
from sendgrid import SendGridAPIClient
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url

IDLE_LIMIT_SECONDS = 30.0
MAIL_SEND_PATH = "/v3/mail/send"


class NotSent(Exception):
    """Nothing of the request left this machine, so sending again cannot send twice."""


class _ConnectFailureIsNotSent:
    """Connecting happens before the request's first byte is written; telling its
    failures apart is what lets a refused or failed TLS handshake be retried."""

    def connect(self) -> None:
        try:
            super().connect()  # type: ignore[misc]
        except Exception as exc:  # noqa: BLE001  whatever fails here, nothing was written
            raise NotSent(f"{type(exc).__name__}: {exc}") from exc


class _Connection(_ConnectFailureIsNotSent, HTTPConnection):
    pass


class _TLSConnection(_ConnectFailureIsNotSent, HTTPSConnection):
    pass


class _Pool(urllib3.HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


class MailSendConnection:
    """Posts Mail Send bodies for one `SendGridAPIClient` over a kept connection, to the
    client's host with its headers and timeout (the headers read at every send, as the
    library does)."""

    def __init__(self, client: SendGridAPIClient) -> None:
        self.client = client
        self._pool: urllib3.HTTPConnectionPool | None = None
        self._path = MAIL_SEND_PATH
        self._last_used = 0.0

    def post(self, body: bytes) -> urllib3.BaseHTTPResponse:
        """Any answer is returned, whatever its status; raises NotSent, or a urllib3
        error (or OSError) after which the message may have been accepted."""
        pool = self._current_pool()
        headers = dict(self.client.client.request_headers)
        headers.setdefault("Content-Type", "application/json")
        try:
            return pool.urlopen(
                "POST",
                self._path,
                body=body,
                headers=headers,
                retries=False,
                redirect=False,
                preload_content=True,
            )
        finally:
            self._last_used = time.monotonic()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _current_pool(self) -> urllib3.HTTPConnectionPool:
        if self._pool is not None and time.monotonic() - self._last_used > IDLE_LIMIT_SECONDS:
            self.close()
        if self._pool is None:
            url = _parsed(self.client.host)
            self._path = (url.path or "").rstrip("/") + MAIL_SEND_PATH
            kind = _TLSPool if url.scheme == "https" else _Pool
            timeout = self.client.client.timeout
            self._pool = kind(
                url.host,
                url.port,
                maxsize=1,
                retries=False,
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
            )
        return self._pool


def _parsed(host: str) -> Url:
    try:
        url = parse_url(host)
    except LocationParseError as exc:
        raise NotSent(f"SendGrid's address {host!r} is not a URL") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise NotSent(f"SendGrid's address {host!r} is not an http(s) URL")
    return url


def sendgrid_client(api_key: str, host: str, timeout: float = 30.0) -> SendGridAPIClient:
    """The official client, giving up after `timeout` seconds (the library waits forever
    by default); Mail Send goes through a MailSendConnection, the other endpoints (the
    suppression lists) through the library's own HTTP."""
    client = SendGridAPIClient(api_key, host=host)
    client.client = python_http_client.Client(
        host=client.client.host,
        request_headers=client.client.request_headers,
        version=3,
        timeout=timeout,
    )
    return client
