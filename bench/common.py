"""Helpers shared by the benchmarks: a freshly migrated database that is thrown away
afterwards, so a benchmark never touches the practice's data and two runs never meet.

Benchmarks are plain scripts run from the repository root, for instance
`.venv/bin/python bench/bench_import.py`; each prints `BENCH <name> <seconds> s` lines.
"""
from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from crm import migrate  # noqa: E402
from crm.db import engine_for  # noqa: E402

POSTGRES_ENV = "LIAISON_BENCH_POSTGRES_URL"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@contextmanager
def fresh_sqlite() -> Iterator[str]:
    """A migrated SQLite file in a temporary directory, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        try:
            yield url
        finally:
            engine_for(url).dispose()


@contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A migrated database of its own on the given server, dropped afterwards."""
    import psycopg

    server = make_url(migrate.normalise_url(server_url))
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"liaison_bench_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = server.set(database=name).render_as_string(hide_password=False)
        try:
            migrate.upgrade(url)
            yield url
        finally:
            engine_for(url).dispose()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backends() -> list[tuple[str, Callable[[], AbstractContextManager[str]]]]:
    """("", sqlite) always, and ("_postgres", postgres) when LIAISON_BENCH_POSTGRES_URL is set:
    the suffix goes after the benchmark's name."""
    found: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [("", fresh_sqlite)]
    server = postgres_url()
    if server:
        found.append(("_postgres", lambda: fresh_postgres(server)))
    return found


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def report(name: str, seconds: float) -> None:
    print(f"BENCH {name} {seconds:.2f} s", flush=True)
