"""How long a cadence planner pass takes at the issue's scale: 20,000 partners, 500,000
referrals and 2,000 active enrolments. A pass with nothing due must take under 100 ms
(the planner's cost grows with what is due, not with the database); one that enqueues
5,000 or more emails and tasks under 5 s.

    .venv/bin/python bench/bench_planner.py

The 2,000 enrolments are in a cadence whose first step (an email to every contact with
an address) is five business days out, followed the same day by a call task. The first pass plans them (next_due_at in the future); the
idle figure is the median of 20 passes after it; then the clock moves to the day the
steps are due and one pass (committed) does them all. Prints `BENCH planner_idle_ms`,
`BENCH planner_5k_due_s` (the slower backend) and each with `_sqlite`/`_postgres`."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from common import backends, fresh_database, report_value
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns.cadences.enrolment import CadenceDraft, create_cadence, enrol
from campaigns.cadences.job import PassReport, run_planner_pass
from campaigns.cadences.steps import StepDraft
from crm.access import SYSTEM
from crm.db import engine_for
from crm.models import Partner
from crm.settings import Settings
from crm.vocab import ContactRole
from liaison.demo import seed_demo

PARTNERS = 20_000
REFERRALS = 500_000
ENROLMENTS = 2_000
IDLE_RUNS = 20
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday
DUE = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # five business days on, after 09:00 in Boston
SETTINGS = Settings(_env_file=None, secret_key="bench-secret", timezone="America/New_York")
SUFFIX = {"sqlite": "_sqlite", "postgresql": "_postgres"}


def prepare(engine: Engine) -> None:
    seed_demo(
        engine, partners=PARTNERS, referrals=REFERRALS, years=2, seed=7, now=NOW - timedelta(days=1)
    )
    roles = ",".join(ContactRole.choices())
    steps = [
        StepDraft(action="email", template="partner_checkin", contact_roles=roles, offset_days=5),
        StepDraft(action="call", offset_days=0, title="Follow-up call"),
    ]
    with Session(engine, expire_on_commit=False) as session:
        cadence = create_cadence(
            session, SYSTEM, CadenceDraft(name="Bench welcome", steps=steps), NOW
        )
        ids = session.scalars(
            select(Partner.id)
            .where(Partner.status != "do_not_contact", Partner.archived_at.is_(None))
            .order_by(Partner.id)
            .limit(ENROLMENTS * 5)
        ).all()[::5]
        report = enrol(session, SYSTEM, cadence.id, list(ids), now=NOW)
        session.commit()
        if report.enrolled != ENROLMENTS:
            raise SystemExit(f"enrolled {report.enrolled} partners, expected {ENROLMENTS}")
        if engine.dialect.name == "postgresql":
            session.connection().exec_driver_sql("ANALYZE")
            session.commit()


def one_pass(engine: Engine, now: datetime) -> tuple[float, PassReport]:
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        report = run_planner_pass(session, SETTINGS, now)
        session.commit()
        return time.perf_counter() - started, report


def measure(url: str) -> tuple[float, float]:
    engine = engine_for(url)
    prepare(engine)
    _, planned = one_pass(engine, NOW)  # works out every new enrolment's first due time
    if planned.enrolments != ENROLMENTS or planned.steps != 0:
        raise SystemExit(f"the planning pass should only plan: {planned}")
    idle = []
    for _ in range(IDLE_RUNS):
        seconds, report = one_pass(engine, NOW)
        if report.enrolments != 0:
            raise SystemExit(f"an idle pass found work: {report}")
        idle.append(seconds * 1000)
    seconds, report = one_pass(engine, DUE)
    created = report.emails + report.tasks
    if created < 5_000:
        raise SystemExit(f"the due pass created only {created} emails and tasks: {report}")
    print(
        f"# {engine.dialect.name}: due pass {report}; {_messages(engine)} messages in the outbox",
        flush=True,
    )
    return statistics.median(idle), seconds


def _messages(engine: Engine) -> int:
    from crm.models import Message

    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Message)).scalar_one()


def main() -> None:
    idle: dict[str, float] = {}
    due: dict[str, float] = {}
    for backend in backends():
        with fresh_database(backend) as url:
            idle[backend], due[backend] = measure(url)
        report_value(f"planner_idle_ms{SUFFIX[backend]}", idle[backend], "ms")
        report_value(f"planner_5k_due_s{SUFFIX[backend]}", due[backend], "s")
    report_value("planner_idle_ms", max(idle.values()), "ms")
    report_value("planner_5k_due_s", max(due.values()), "s")


if __name__ == "__main__":
    main()
