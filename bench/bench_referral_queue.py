"""How long the front desk's Referral queue page waits on the database at the issue's
scale: 20,000 partners and 500,000 referrals over three years (the demo generator, as
bench_dashboard.py uses it), with a few thousand more referrals still waiting, received
over the last three weeks, so both stages hold overdue and on-time rows.

The figure is the page's queries together (the queue's counts and its two stages'
oldest 50 rows, the partners the desk's form offers for a few letters typed, the locations, and one
partner's contacts), median of five runs after a warm-up. Prints, on SQLite,
`BENCH referral_queue_ms` (target under 200 ms); with PostgreSQL,
`BENCH referral_queue_ms_postgres` too."""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from common import backends, fresh_database, report_value
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.analytics.timing import Targets
from crm.contacts import contacts_of
from crm.db import engine_for
from crm.locations import list_locations
from crm.models import Location, Partner, Referral
from crm.referral_queue import desk_partners, referral_queue
from crm.settings import Settings
from liaison.demo import seed_demo

PARTNERS = 20_000
REFERRALS = 500_000
WAITING = 3_000
SHOWN = 50
RUNS = 5
SEARCHED = "qzx"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
ZONE = ZoneInfo("America/New_York")
NAMES = {"sqlite": "referral_queue_ms", "postgresql": "referral_queue_ms_postgres"}


def add_waiting(engine: Engine) -> None:
    """Referrals the desk has yet to call or to book, received over the last three
    weeks: the demo's own history ends with few of them."""
    rng = random.Random(11)
    with Session(engine) as session:
        partner_ids = session.scalars(select(Partner.id)).all()
        location_ids = session.scalars(select(Location.id)).all()
        rows = []
        for n in range(WAITING):
            received = NOW - timedelta(minutes=rng.randint(10, 21 * 24 * 60))
            contacted = n % 3 == 0
            rows.append(
                {
                    "partner_id": rng.choice(partner_ids),
                    "received_at": received,
                    "channel": rng.choice(("phone", "fax", "web_form")),
                    "service_line": "general",
                    "location_id": rng.choice(location_ids) if location_ids else None,
                    "contacted_at": received + timedelta(hours=3) if contacted else None,
                    "status": "contacted" if contacted else "received",
                    "lost_reason": "",
                    "created_at": received,
                    "updated_at": received,
                }
            )
        session.execute(insert(Referral), rows)
        session.commit()
        if engine.dialect.name == "postgresql":
            session.connection().exec_driver_sql("ANALYZE")
            session.commit()


def page_queries(session: Session, targets: Targets, partner_id: int) -> None:
    queue = referral_queue(session, targets, NOW, ZONE, limit=SHOWN)
    if not all(stage.entries for stage in queue):
        raise SystemExit("the queue came back empty: the benchmark measures nothing")
    desk_partners(session, SEARCHED)  # a name nobody has: the whole name index is read
    list_locations(session)
    contacts_of(session, partner_id)


def time_page(engine: Engine, targets: Targets) -> float:
    with Session(engine) as session:
        partner_id = session.execute(select(Partner.id).limit(1)).scalar_one()
        page_queries(session, targets, partner_id)
        times = []
        for _ in range(RUNS):
            session.expire_all()
            started = time.perf_counter()
            page_queries(session, targets, partner_id)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    for backend in backends():
        with fresh_database(backend) as url:
            engine = engine_for(url)
            started = time.perf_counter()
            seed_demo(engine, partners=PARTNERS, years=3, seed=1, now=NOW, referrals=REFERRALS)
            add_waiting(engine)
            print(
                f"# {backend}: data generated in {time.perf_counter() - started:.0f} s", flush=True
            )
            targets = Targets.from_settings(Settings(database_url=url, timezone=ZONE.key))
            seconds = time_page(engine, targets)
            report_value(NAMES[backend], seconds * 1000, "ms")
            engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
