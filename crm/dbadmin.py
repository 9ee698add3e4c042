"""Throwaway databases for tests and benchmarks: each run gets its own, so two runs on
one server never collide, and nothing a run leaves behind skews the next."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

from crm import migrate
from crm.db import engine_for, normalise_url
from crm.models import ReferralHourCount


class ServerUnreachable(Exception):
    pass


def check_reachable(server_url: str) -> None:
    """Raise ServerUnreachable now, before any work is spread over worker processes that
    would each fail on their own."""
    _admin_connection(server_url).close()


def _admin_connection(server_url: str) -> psycopg.Connection:
    dsn = make_url(normalise_url(server_url)).set(drivername="postgresql")
    try:
        return psycopg.connect(
            dsn.render_as_string(hide_password=False), autocommit=True, connect_timeout=5
        )
    except psycopg.OperationalError as exc:
        raise ServerUnreachable(str(exc).strip()) from None


@contextmanager
def throwaway_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create a migrated database on the server, yield its URL, drop it on exit."""
    admin_url = make_url(normalise_url(server_url))
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with _admin_connection(server_url) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        try:
            migrate.upgrade(url)
            yield url
        finally:
            engine_for(url).dispose()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_all_tables(engine: Engine) -> None:
    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            # the referrals' triggers write their counts as the referrals go: those last
            last = ReferralHourCount.__tablename__
            for name in [t for t in reversed(tables) if t != last] + [last]:
                connection.execute(text(f"DELETE FROM {name}"))
