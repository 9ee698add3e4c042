"""What writing one referral costs now that its hour counts are kept with it: a demo
practice (PARTNERS partners, three years of referrals, so the counts' indexes are not
empty), then WRITES referrals, each in its own transaction (insert, its counts by the
triggers, commit), then a contact date recorded on each (a stage change, committed).

Prints medians: `BENCH referral_write_ms` (target under 5 ms),
`referral_stage_change_ms`, `referral_write_domain_ms` (through `create_referral`, with
its audit entry and the partner's lifecycle, for comparison) and
`referral_write_without_counts_ms` (the same write with the triggers off: the
difference is what the counts cost); with PostgreSQL each again with `_postgres` after
it. The counts are checked against the referrals after the writes."""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from common import backends, fresh_database, report_value
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.access import Actor
from crm.db import engine_for
from crm.models import Partner, Referral, ReferralHourCount
from crm.referral_counts import hour_counts_from_referrals, rebuild_summaries
from crm.referrals import ReferralInput, create_referral
from crm.vocab import Role
from liaison.demo import seed_demo

PARTNERS = 4_000
WRITES = 300
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
ACTOR = Actor(id=None, role=Role.MARKETER, name="bench")


def _timed(work) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


class Writer:
    """Referrals written one transaction each, to a database seeded with history."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rng = random.Random(5)
        with Session(engine) as session:
            self.partner_ids = session.scalars(select(Partner.id)).all()
        self.written: list[int] = []

    def received(self) -> datetime:
        return NOW - timedelta(minutes=self.rng.randint(0, 60 * 24 * 30))

    def insert(self) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            referral = Referral(
                partner_id=self.rng.choice(self.partner_ids),
                received_at=self.received(),
                service_line="knee",
                channel="fax",
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(referral)
            session.commit()
            self.written.append(referral.id)

    def contact(self, referral_id: int) -> None:
        with Session(self.engine) as session:
            referral = session.get(Referral, referral_id)
            referral.contacted_at = referral.received_at + timedelta(hours=2)
            referral.updated_at = NOW
            session.commit()

    def through_the_domain(self) -> None:
        data = ReferralInput(received_at=self.received(), service_line="knee", channel="fax")
        with Session(self.engine) as session:
            create_referral(session, ACTOR, self.rng.choice(self.partner_ids), data, NOW)
            session.commit()

    def median_ms(self, work, runs: int = WRITES) -> float:  # type: ignore[no-untyped-def]
        for _ in range(10):
            work()
        return statistics.median(_timed(work) for _ in range(runs))

    def median_changes_ms(self) -> float:
        ids = iter(self.written[-WRITES:])
        return self.median_ms(lambda: self.contact(next(ids)), runs=WRITES - 10)


@contextmanager
def counts_left_out(engine: Engine) -> Iterator[None]:
    """The counts' triggers off for a while, to show what they add to a write."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE referral DISABLE TRIGGER USER")
        yield
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE referral ENABLE TRIGGER USER")
        return
    with engine.begin() as connection:
        triggers = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'referral'"
        ).all()
        for name, _ in triggers:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    with engine.begin() as connection:
        for _, sql in triggers:
            connection.exec_driver_sql(sql)


def measure(url: str) -> dict[str, float]:
    engine = engine_for(url)
    seed_demo(engine, partners=PARTNERS, years=3, seed=5, now=NOW)
    writer = Writer(engine)
    figures = {
        "referral_write_ms": writer.median_ms(writer.insert),
        "referral_stage_change_ms": writer.median_changes_ms(),
        "referral_write_domain_ms": writer.median_ms(writer.through_the_domain, runs=100),
    }
    _check(engine)
    with counts_left_out(engine):
        figures["referral_write_without_counts_ms"] = writer.median_ms(writer.insert)
    rebuild_summaries(engine)
    _check(engine)
    return figures


def _check(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        stored = session.execute(
            select(ReferralHourCount.__table__).where(ReferralHourCount.received != 0)
        ).all()
        truth = session.execute(hour_counts_from_referrals(None, None)).all()
        referrals = session.scalar(select(Referral.id).order_by(Referral.id.desc()).limit(1))
    if sorted(tuple(r[1:]) for r in stored) != sorted(tuple(r[1:]) for r in truth):
        sys.exit("the referral hour counts differ from the referrals")
    print(f"# {referrals:,} referrals; counts agree with them", flush=True)


def main() -> None:
    for backend in backends():
        suffix = "" if backend == "sqlite" else "_postgres"
        with fresh_database(backend) as url:
            figures = measure(url)
        for name, value in figures.items():
            report_value(name + suffix, value, "ms")


if __name__ == "__main__":
    main()
