"""How long one season's seasonal sends take at the issue's scale: 20,000 partners.
Generating the year's drafts, approving the fall season and enqueueing its pre-, mid-
and post-season emails (one per address per phase) must take under 10 s.

    .venv/bin/python bench/bench_seasonal.py

The demo practice (20,000 partners, 20,000 referrals, one year) gets the default US
school calendar for 2026; the clock stands after the fall post-season day, so all three
fall phases are due in one pass. Prints `BENCH season_enqueue_20k_s` (the slower
backend) and `_sqlite`/`_postgres`."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from common import backends, fresh_database, report_value
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns.seasonal import add_defaults, approve_season, enqueue_due, generate_year
from crm.access import SYSTEM
from crm.db import engine_for
from crm.models import Message
from crm.settings import Settings
from liaison.demo import seed_demo

PARTNERS = 20_000
YEAR = 2026
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # after the fall post-season day (17 November)
APPROVED_AT = datetime(2026, 7, 1, 15, 0, tzinfo=UTC)  # the season approved ahead, in summer
SETTINGS = Settings(_env_file=None, secret_key="bench-secret", timezone="America/New_York")
SUFFIX = {"sqlite": "_sqlite", "postgresql": "_postgres"}


def prepare(engine: Engine) -> None:
    seed_demo(
        engine, partners=PARTNERS, referrals=PARTNERS, years=1, seed=7, now=NOW - timedelta(days=1)
    )
    with Session(engine, expire_on_commit=False) as session:
        add_defaults(session, SYSTEM, YEAR, NOW)
        session.commit()
        if engine.dialect.name == "postgresql":
            session.connection().exec_driver_sql("ANALYZE")
            session.commit()


def measure(url: str) -> float:
    engine = engine_for(url)
    prepare(engine)
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        generated = generate_year(session, SYSTEM, YEAR, APPROVED_AT)
        approved = approve_season(session, SYSTEM, YEAR, "fall", APPROVED_AT, zone=SETTINGS.zone)
        report = enqueue_due(session, SETTINGS, NOW)
        session.commit()
        seconds = time.perf_counter() - started
        messages = session.execute(
            select(func.count()).select_from(Message).where(Message.kind == "seasonal")
        ).scalar_one()
    if report.sends != approved or report.emails == 0 or messages != report.emails:
        raise SystemExit(
            f"expected every approved fall send enqueued: {approved} approved, {report}, {messages}"
        )
    print(
        f"# {engine.dialect.name}: {generated.created} drafts, {approved} approved, {report.emails} emails",
        flush=True,
    )
    return seconds


def main() -> None:
    results: dict[str, float] = {}
    for backend in backends():
        with fresh_database(backend) as url:
            results[backend] = measure(url)
        report_value(f"season_enqueue_20k_s{SUFFIX[backend]}", results[backend], "s")
    report_value("season_enqueue_20k_s", max(results.values()), "s")


if __name__ == "__main__":
    main()
