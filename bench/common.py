"""Helpers shared by the benchmarks: a fresh, migrated database per run, so a figure
never depends on what an earlier run left behind.

Run the benchmarks from the repository root (`.venv/bin/python bench/<name>.py`); the
PostgreSQL variants run only when LIAISON_BENCH_POSTGRES_URL names a server where the
user may create databases."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crm import migrate  # noqa: E402
from crm.db import engine_for  # noqa: E402
from crm.dbadmin import throwaway_postgres_database  # noqa: E402
from liaison import wiring  # noqa: E402

wiring.connect()

POSTGRES_ENV = "LIAISON_BENCH_POSTGRES_URL"


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when a server is given."""
    return ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_ENV) else [])


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """The URL of a new database at the newest migration, removed on exit."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="liaison-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            migrate.upgrade(url)
            try:
                yield url
            finally:
                engine_for(url).dispose()
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}; expected sqlite or postgresql")
    yield from _postgres_database()


def _postgres_database() -> Iterator[str]:
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        raise RuntimeError(f"set {POSTGRES_ENV} to benchmark PostgreSQL")
    with throwaway_postgres_database(server, "liaison_bench") as url:
        yield url


class Stopwatch:
    """Wall-clock seconds of the block it wraps."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *_exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def report(name: str, seconds: float) -> None:
    """The one line a benchmark prints per figure; other tools grep for it."""
    report_value(name, seconds, "s")


def report_value(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.2f} {unit}", flush=True)


@dataclass(frozen=True)
class ChildRun:
    output: str
    seconds: float
    cpu_seconds: float
    peak_mb: float


def run_child(args: list[str]) -> ChildRun:
    """One command in a fresh process, with that process's own resource use (wait4 gives
    the one child's, whatever other children ran before): what a file import costs
    without the generator that wrote the file. CPU seconds tell a slow machine from a
    busy one."""
    with Stopwatch() as watch:
        child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(args[1:2])} failed with exit status {code}")
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return ChildRun(output, watch.seconds, usage.ru_utime + usage.ru_stime, peak_mb)
