"""Public Starlette routes in a real uvicorn server on a free port, the way st.App
serves them, for tests that follow links as a browser or mail client would."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from tests.browser import free_port


@contextmanager
def serving(routes: Sequence[BaseRoute]) -> Iterator[str]:
    """Yields the server's host:port."""
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=list(routes)), host="127.0.0.1", port=free_port(), log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
