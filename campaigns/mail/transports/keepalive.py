"""One kept HTTP connection for SendGrid's Mail Send, under the official `sendgrid` library.

The library's HTTP layer (python_http_client over urllib) opens a new connection for
every call; at outbox volumes setting up the connection costs more than the send. The
library still builds the request body (`Mail.get()`), knows the host and makes the
headers (API key, user agent); the body is posted over one kept `http.client`
connection (the dispatcher gives each worker thread its own transport, so its own
connection). The standard library's client writes the headers and the body in one
write, and does no more per request than posting needs; at a few thousand messages a
second a pool's bookkeeping and a second write per request cost more than the rest of
the send.

Nothing here ever retries: a retried POST could send an email twice. A kept connection
is checked before it is reused and replaced if the server has closed it, and one idle
longer than IDLE_LIMIT_SECONDS is not reused at all (the server may close it while the
request is on its way), so a stale connection is not mistaken for a send that may have
gone out. What fails while connecting (TCP or TLS) raises NotSent; any other failure
comes after bytes of the request may have left, and the message may have been accepted."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

import python_http_client
from sendgrid import SendGridAPIClient
from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url, wait_for_read

IDLE_LIMIT_SECONDS = 30.0
MAIL_SEND_PATH = "/v3/mail/send"


class NotSent(Exception):
    """Nothing of the request left this machine, so sending again cannot send twice."""


@dataclass(frozen=True)
class Answer:
    """SendGrid's answer, read in full (the connection is free for the next send)."""

    status: int
    data: bytes
    headers: http.client.HTTPMessage  # case-insensitive, as HTTP header names are


class MailSendConnection:
    """Posts Mail Send bodies for one `SendGridAPIClient` over a kept connection, to the
    client's host with its headers and timeout (the headers read at every send, as the
    library does)."""

    def __init__(self, client: SendGridAPIClient) -> None:
        self.client = client
        self._connection: http.client.HTTPConnection | None = None
        self._path = MAIL_SEND_PATH
        self._last_used = 0.0

    def post(self, body: bytes) -> Answer:
        """Any answer is returned, whatever its status; raises NotSent, or an OSError or
        http.client.HTTPException after which the message may have been accepted."""
        connection = self._current_connection()
        headers = dict(self.client.client.request_headers)
        headers.setdefault("Content-Type", "application/json")
        try:
            connection.request("POST", self._path, body, headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.read(), response.headers)
        except BaseException:
            self.close()  # half a request or half an answer: the connection is done
            raise
        finally:
            self._last_used = time.monotonic()
        if response.will_close:
            self.close()
        return answer

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _current_connection(self) -> http.client.HTTPConnection:
        if self._connection is not None and not self._reusable(self._connection):
            self.close()
        if self._connection is None:
            self._connection = self._connected()
        return self._connection

    def _reusable(self, connection: http.client.HTTPConnection) -> bool:
        """Idle within the limit, and nothing to read: between requests a kept
        connection the server closed reads as end of file."""
        if time.monotonic() - self._last_used > IDLE_LIMIT_SECONDS:
            return False
        return connection.sock is not None and not wait_for_read(connection.sock, timeout=0.0)

    def _connected(self) -> http.client.HTTPConnection:
        url = _parsed(self.client.host)
        self._path = (url.path or "").rstrip("/") + MAIL_SEND_PATH
        timeout = self.client.client.timeout
        connection: http.client.HTTPConnection
        if url.scheme == "https":
            connection = http.client.HTTPSConnection(
                url.host, url.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(url.host, url.port, timeout=timeout)
        try:
            connection.connect()
        except Exception as exc:  # noqa: BLE001  whatever fails here, nothing was written
            connection.close()
            raise NotSent(f"{type(exc).__name__}: {exc}") from exc
        # One write per request; without this a body longer than a segment could wait
        # for the acknowledgement of the segments before it.
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection


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
