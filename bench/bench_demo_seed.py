"""How long `crm demo seed` takes at the issue's scale: 20,000 partners and 500,000
referrals into a fresh database (the target is under two minutes on each backend).

Prints `BENCH demo_seed_20k <seconds> s` for SQLite and, when LIAISON_BENCH_POSTGRES_URL
is set, `BENCH demo_seed_20k_postgres <seconds> s`."""

from __future__ import annotations

from datetime import UTC, datetime

from common import Stopwatch, backends, fresh_database, report

from crm.db import engine_for
from liaison.demo import seed_demo

PARTNERS = 20_000
REFERRALS = 500_000
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NAMES = {"sqlite": "demo_seed_20k", "postgresql": "demo_seed_20k_postgres"}


def main() -> None:
    for backend in backends():
        with fresh_database(backend) as url:
            engine = engine_for(url)
            with Stopwatch() as watch:
                summary = seed_demo(
                    engine, partners=PARTNERS, years=3, seed=1, now=NOW, referrals=REFERRALS
                )
            if summary.partners != PARTNERS or summary.referrals != REFERRALS:
                raise SystemExit(
                    f"seeded {summary.partners} partners and {summary.referrals} referrals, "
                    f"expected {PARTNERS} and {REFERRALS}"
                )
            report(NAMES[backend], watch.seconds)


if __name__ == "__main__":
    main()
