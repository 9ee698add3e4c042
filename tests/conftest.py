"""Every database test runs on SQLite and, when LIAISON_TEST_POSTGRES_URL is set, on
PostgreSQL too, through the `engine` fixture. PostgreSQL gets a database of its own per
run (created here, dropped at the end) so two runs never collide; when PostgreSQL was
asked for and cannot be reached the run fails instead of skipping."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from crm import migrate
from crm.access import Actor
from crm.db import engine_for

POSTGRES_ENV = "LIAISON_TEST_POSTGRES_URL"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def postgres_requested() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: a test about SQLite itself")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = ["sqlite"] + (["postgresql"] if postgres_requested() else [])
        metafunc.parametrize("backend", backends, scope="session")


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database for this run, through the real migrations."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'liaison.db'}"
        migrate.upgrade(url)
        yield url
        return
    yield from _postgres_database()


def _postgres_database() -> Iterator[str]:
    import psycopg

    admin_url = make_url(migrate.normalise_url(postgres_requested() or ""))
    dsn = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"liaison_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.exit(f"PostgreSQL was asked for ({POSTGRES_ENV}) but is unreachable: {exc}", returncode=3)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        try:
            migrate.upgrade(url)
            yield url
        finally:
            engine_for(url).dispose()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The run's database, emptied after each test."""
    engine = engine_for(database_url)
    yield engine
    _empty(engine)


def _empty(engine: Engine) -> None:
    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                connection.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def admin(session: Session) -> Actor:
    from tests.factories import make_user

    return make_user(session, role="admin")


@pytest.fixture
def marketer(session: Session) -> Actor:
    from tests.factories import make_user

    return make_user(session, role="marketer")


@pytest.fixture
def viewer(session: Session) -> Actor:
    from tests.factories import make_user

    return make_user(session, role="viewer")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if "[postgresql" in getattr(report, "nodeid", "") and report.when in ("call", "setup"):
                if outcome == "passed" and report.when != "call":
                    continue
                counts[outcome] = counts.get(outcome, 0) + 1
    if postgres_requested():
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none ran"
        terminalreporter.write_line(f"PostgreSQL tests: {summary}")
    else:
        terminalreporter.write_line(f"PostgreSQL tests: not requested (set {POSTGRES_ENV})")


ROOT = Path(__file__).resolve().parent.parent
