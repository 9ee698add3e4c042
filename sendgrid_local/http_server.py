"""Carries `LocalSendGrid` over HTTP/1.1 with the standard library's threading server.

Chosen over an ASGI server because a dropped connection needs the socket itself:
ASGI has no way to hang up without answering (uvicorn turns an exception before the
response into a 500). One thread per keep-alive connection is plenty here and
measured at several thousand requests a second."""

from __future__ import annotations

import socket
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .app import LocalSendGrid
from .events import Post
from .faults import FaultPlan
from .replies import Drop, Reply, Request, problem
from .store import Delivery


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # headers and body go out without waiting on ACKs
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        super().finish()
        self.server.untrack(self.connection)

    def do_GET(self) -> None:
        outcome = self._outcome()
        if isinstance(outcome, Drop):
            self.close_connection = True  # nothing written: the client sees the hang-up
            return
        self._write(outcome)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _outcome(self) -> Reply | Drop:
        try:
            return self.server.app.handle(self._request())
        except Exception:  # a bug must show, but as SendGrid's 500 rather than a hang-up
            traceback.print_exc(file=sys.stderr)
            return problem(500, "internal server error")

    def _request(self) -> Request:
        parts = urlsplit(self.path)
        return Request(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self._body(),
        )

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return _read_chunked(self.rfile)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _write(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


def _read_chunked(stream: Any) -> bytes:
    chunks = []
    while size := int(stream.readline().split(b";")[0], 16):
        chunks.append(stream.read(size))
        stream.readline()
    while stream.readline() not in (b"\r\n", b"\n", b""):
        pass  # trailers
    return b"".join(chunks)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: LocalSendGrid, verbose: bool) -> None:
        self.app = app
        self.verbose = verbose
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket) -> None:
        with self._open_lock:
            self._open.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(connection)

    def hang_up_all(self) -> None:
        """Keep-alive threads would otherwise wait on idle clients after a stop."""
        with self._open_lock:
            for connection in self._open:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def make_server(
    app: LocalSendGrid, host: str = "127.0.0.1", port: int = 0, verbose: bool = False
) -> _Server:
    return _Server((host, port), app, verbose)


class LocalServer:
    """A running local SendGrid in a background thread, with the handle tests use:
    its `url`, what it received, and knobs for faults and suppressions."""

    def __init__(
        self, app: LocalSendGrid | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.app = app or LocalSendGrid()
        self._server = make_server(self.app, host, port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sendgrid-local",
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.hang_up_all()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def received(self) -> list[dict[str, Any]]:
        """Bodies of the accepted sends, in arrival order."""
        return [delivery.body for delivery in self.app.store.deliveries()]

    @property
    def deliveries(self) -> list[Delivery]:
        return self.app.store.deliveries()

    def deliveries_by_key(self) -> dict[str, int]:
        return self.app.store.deliveries_by_key()

    def set_faults(
        self, rate: float, kinds: str | tuple[str, ...] | list[str] | None = None, **details: Any
    ) -> None:
        """E.g. `set_faults(0.3, ["429", "drop_after"], seed=7, slow_ms=50)`."""
        settings: dict[str, Any] = {"rate": rate, **details}
        if kinds is not None:
            settings["kinds"] = kinds
        self.app.faults.configure(FaultPlan.from_json(settings))

    def reset(self) -> None:
        self.app.reset()

    def add_suppression(self, kind: str, email: str, created: int, **details: Any) -> None:
        self.app.add_suppression(kind, email, created, **details)

    def configure_webhook(self, url: str, auto: bool = False) -> str:
        """Signed events go to `url` (with `auto`, processed and delivered for every
        accepted message); returns the public key to verify them with."""
        return self.app.configure_webhook(url, auto).signer.public_key

    def post_events(self, message_key: str, events: list[str | dict[str, Any]]) -> Post:
        """E.g. `post_events(key, ["delivered", {"event": "open", "sg_machine_open": True}])`."""
        return self.app.post_events(message_key, events)

    @property
    def posts(self) -> list[Post]:
        """Every event post made, with the webhook's answer; automatic ones once `flush`ed."""
        return list(self.app.webhook.posts) if self.app.webhook is not None else []

    def flush_events(self) -> None:
        if self.app.webhook is not None:
            self.app.webhook.flush()
