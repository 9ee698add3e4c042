"""Only one scheduler acts at a time. APScheduler's own job store must never be shared
between processes, so leadership is taken here instead: a PostgreSQL advisory lock
held on a dedicated connection, or an OS file lock beside a SQLite database. Either is
released by the operating system or the server when the holder dies, so a standby
takes over without anyone cleaning up."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

ADVISORY_KEY = 0x4C69_6169  # "Liai"


class Leadership(Protocol):
    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class PostgresLeadership:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection = None

    def try_acquire(self) -> bool:
        if self._connection is None:
            self._connection = self.engine.connect()
        held = self._connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
        ).scalar()
        self._connection.commit()
        return bool(held)

    def release(self) -> None:
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
            self._connection.commit()
            self._connection.close()
            self._connection = None


class FileLeadership:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode())
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def leadership_for(engine: Engine) -> Leadership:
    if engine.dialect.name == "postgresql":
        return PostgresLeadership(engine)
    database = make_url(str(engine.url)).database or "liaison.db"
    return FileLeadership(Path(f"{database}.scheduler-lock"))
