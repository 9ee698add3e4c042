"""Every database test runs on SQLite and, when LIAISON_TEST_POSTGRES_URL is set, on
PostgreSQL too, through the `engine` fixture. PostgreSQL gets a database of its own per
run (created here, dropped at the end) so two runs never collide; when PostgreSQL was
asked for and cannot be reached the run fails instead of skipping."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm import clock, migrate, settings
from crm.access import Actor
from crm.db import engine_for
from crm.dbadmin import (
    ServerUnreachable,
    check_reachable,
    empty_all_tables,
    throwaway_postgres_database,
)
from liaison import wiring
from sendgrid_local.spec import missing_spec

POSTGRES_ENV = "LIAISON_TEST_POSTGRES_URL"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def postgres_requested() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def pytest_configure(config: pytest.Config) -> None:
    wiring.connect()
    config.addinivalue_line("markers", "sqlite_only: a test about SQLite itself")
    problem = missing_spec()
    if problem:  # every email test runs against the local SendGrid server, which needs it
        pytest.exit(problem, returncode=4)
    if postgres_requested():
        try:
            check_reachable(postgres_requested() or "")
        except ServerUnreachable as exc:
            pytest.exit(_unreachable(exc), returncode=3)


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
    try:
        with throwaway_postgres_database(postgres_requested() or "", "liaison_test") as url:
            yield url
    except ServerUnreachable as exc:
        pytest.exit(_unreachable(exc), returncode=3)


def _unreachable(exc: ServerUnreachable) -> str:
    return f"PostgreSQL was asked for ({POSTGRES_ENV}) but is unreachable: {exc}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The run's database, emptied after each test."""
    engine = engine_for(database_url)
    yield engine
    empty_all_tables(engine)


@pytest.fixture
def app_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> Iterator[pytest.MonkeyPatch]:
    """Settings for code that reads them from the environment (commands, the scheduler),
    pointed at this run's database and a private outbox folder."""
    monkeypatch.setenv("LIAISON_DATABASE_URL", database_url)
    monkeypatch.setenv("LIAISON_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("LIAISON_OUTBOX_DIR", str(tmp_path / "outbox"))
    settings.get.cache_clear()
    yield monkeypatch
    settings.get.cache_clear()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def practice_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[datetime], None]]:
    """Every test runs at NOW, whatever the day: the app, the public routes and the
    command line in this process read the seam, and the app, scheduler and commands a
    test starts as processes of their own inherit the variable. Call it to move there."""

    def run_from(instant: datetime) -> None:
        anchor = clock.system_now()
        monkeypatch.setenv("LIAISON_CLOCK_START", instant.isoformat())
        monkeypatch.setenv("LIAISON_CLOCK_ANCHOR", anchor.isoformat())
        clock.use(clock.RunningClock(instant, anchor))

    run_from(NOW)
    yield run_from
    clock.use(clock.system_now)


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
