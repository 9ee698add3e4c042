"""Keep-alive HTTP under the official `sendgrid` library.

The library's HTTP layer (python_http_client) opens a new connection for every call;
at outbox volumes the connection set-up costs more than the send. This subclass keeps
the library's request building and error types and replaces only `_make_request`, its
documented seam, with one persistent connection per client (the dispatcher gives each
worker thread its own client).

A reused connection the server has already closed is detected before sending (it reads
as end-of-file) and replaced, so a stale connection is not mistaken for a send that
may have gone out."""
from __future__ import annotations

import http.client
import json
import select
import socket
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import python_http_client
from python_http_client.exceptions import handle_error

if TYPE_CHECKING:
    from sendgrid import SendGridAPIClient

IDLE_LIMIT_SECONDS = 30.0


class KeepAliveClient(python_http_client.Client):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connection: http.client.HTTPConnection | None = None
        self._last_used = 0.0

    def _build_client(self, name: str | None = None) -> "KeepAliveClient":
        child = KeepAliveClient(
            host=self.host, version=self._version, request_headers=self.request_headers,
            url_path=self._url_path + [name] if name else self._url_path,
            append_slash=self.append_slash, timeout=self.timeout,
        )
        child._shared = vars(self).get("_shared", self)
        return child

    def __getattr__(self, name: str) -> Any:
        """The library's own request function builds a fresh urllib opener (about 0.2 ms)
        and formats the whole payload for a debug log on every call; at outbox volumes
        that is most of the cost, so HTTP method calls take this leaner path. URL
        building, headers, the Response wrapper and the error types stay the library's."""
        if name in self.methods:
            return self._request_function(name.upper())
        return super().__getattr__(name)

    def _request_function(self, method: str) -> Any:
        def http_request(request_body: Any = None, query_params: Any = None, request_headers: Any = None,
                         timeout: float | None = None, **_: Any) -> python_http_client.client.Response:
            if request_headers:
                self._update_headers(request_headers)
            data = None
            if request_body is not None:
                if isinstance(request_body, (bytes, str)):
                    data = request_body if isinstance(request_body, bytes) else request_body.encode()
                else:
                    self.request_headers.setdefault("Content-Type", "application/json")
                    data = json.dumps(request_body).encode()
            request = urllib.request.Request(self._build_url(query_params), headers=self.request_headers,
                                             data=data, method=method)
            return python_http_client.client.Response(self._make_request(None, request, timeout=timeout))

        return http_request

    def _make_request(self, opener: Any, request: urllib.request.Request, timeout: float | None = None) -> Any:
        owner = vars(self).get("_shared", self)
        return owner._send(request, timeout or self.timeout)

    def _send(self, request: urllib.request.Request, timeout: float | None) -> http.client.HTTPResponse:
        connection = self._usable_connection(request.full_url, timeout)
        parts = urlsplit(request.full_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = dict(request.header_items())
        try:
            connection.request(request.get_method(), path, body=request.data, headers=headers)
        except (ConnectionError, socket.timeout, OSError) as exc:
            self.close()
            raise urllib.error.URLError(exc) from exc
        try:
            response = connection.getresponse()
            body = response.read()
        except Exception:
            self.close()
            raise
        self._last_used = time.monotonic()
        if response.will_close:
            self.close()
        if response.status >= 400:
            error = urllib.error.HTTPError(request.full_url, response.status, response.reason,
                                           response.headers, _Body(body))
            raise handle_error(error)
        return _Response(response.status, body, response.headers)

    def _usable_connection(self, url: str, timeout: float | None) -> http.client.HTTPConnection:
        connection = self._connection
        idle = time.monotonic() - self._last_used
        if connection is not None and (idle > IDLE_LIMIT_SECONDS or _closed_by_peer(connection)):
            self.close()
            connection = None
        if connection is None:
            parts = urlsplit(url)
            kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            connection = kind(parts.hostname, parts.port, timeout=timeout)
            try:
                connection.connect()
            except OSError as exc:
                raise urllib.error.URLError(exc) from exc
            self._connection = connection
        return connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _closed_by_peer(connection: http.client.HTTPConnection) -> bool:
    """An idle keep-alive socket is readable only when the server has closed it."""
    sock = connection.sock
    if sock is None:
        return True
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *_: Any) -> bytes:
        return self.data

    def close(self) -> None:
        pass


class _Response:
    """What python_http_client.Response reads from urllib's response."""

    def __init__(self, status: int, body: bytes, headers: Any) -> None:
        self._status, self._body, self._headers = status, body, headers

    def getcode(self) -> int:
        return self._status

    def read(self) -> bytes:
        return self._body

    def info(self) -> Any:
        return self._headers


def sendgrid_client(api_key: str, host: str, timeout: float = 30.0) -> "SendGridAPIClient":
    """The official client, speaking through one kept-alive connection."""
    from sendgrid import SendGridAPIClient

    client = SendGridAPIClient(api_key, host=host)
    client.client = KeepAliveClient(host=client.client.host, request_headers=client.client.request_headers,
                                    version=3, timeout=timeout)
    return client
