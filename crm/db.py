"""Engines and sessions for SQLite and PostgreSQL through one code path."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, text
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

from crm.settings import Settings


def normalise_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Helper threads for large sorts: the analytics pages group hundreds of thousands of rows.
    cursor.execute(f"PRAGMA threads={min(4, os.cpu_count() or 1)}")
    cursor.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def insert_for(target: Session | Connection | Engine, table: Any) -> PostgresInsert | SqliteInsert:
    """An insert into `table` in the dialect `target` talks to, so that a caller can add
    `.on_conflict_do_nothing(...)` or `.on_conflict_do_update(...)`: both databases
    spell an upsert alike, but the construct is each dialect's own."""
    bind = target.get_bind() if isinstance(target, Session) else target
    return postgres_insert(table) if bind.dialect.name == "postgresql" else sqlite_insert(table)


def refresh_statistics(session: Session, tables: Iterable[Table], batches_written: int) -> None:
    """PostgreSQL plans from statistics that autovacuum takes only of committed rows, so
    in one long transaction that fills a table its planner goes on believing the table
    is empty and soon scans all of it for each lookup. ANALYZE in the same transaction
    counts its own new rows; it runs after the 1st, 2nd, 4th, 8th... batch, as often as
    the table doubles. SQLite plans from its indexes without statistics."""
    if session.get_bind().dialect.name != "postgresql" or batches_written & (batches_written - 1):
        return
    for table in tables:
        session.execute(text(f'ANALYZE "{table.name}"'))


def analytics_engine(settings: Settings) -> Engine:
    """Where the leadership pages and the monthly report read: the replica named by
    LIAISON_ANALYTICS_DATABASE_URL, else the main database. Only reads go there; a
    replica refuses writes, and one that lags shows figures a little behind."""
    return engine_for(settings.analytics_url)


@contextmanager
def analytics_session(session: Session, settings: Settings) -> Iterator[Session]:
    """A session to read leadership figures in beside `session`, which may be writing:
    `session` itself when there is no replica (so the figures see its own rows), else a
    session of the replica's, closed on exit."""
    if not settings.analytics_database_url:
        yield session
        return
    with Session(analytics_engine(settings), expire_on_commit=False) as replica:
        yield replica


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed if the block succeeds, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
