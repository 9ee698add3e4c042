"""How long the partner map's points take at a large practice's scale: 20,000 partners
and 500,000 referrals, every partner placed, referrals counted over the last 90 days.

Prints `BENCH partner_map_ms_sqlite`, `BENCH partner_map_ms_postgres` (when
LIAISON_BENCH_POSTGRES_URL is set) and `BENCH partner_map_ms`, the slower; and, for
information, one territory's map."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from common import backends, fresh_database, report_value
from sqlmodel import Session

from crm.db import engine_for
from crm.partner_map import partner_map
from crm.partners import PartnerQuery, filter_options
from liaison.demo import seed_demo

PARTNERS = 20_000
REFERRALS = 500_000
RUNS = 9
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=90)
NAMES = {"sqlite": "partner_map_ms_sqlite", "postgresql": "partner_map_ms_postgres"}


def median_ms(engine, query: PartnerQuery) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Median wall time over RUNS runs after a warm-up; the points are checked to be
    the same each run and to carry referrals, so a fast wrong answer fails."""
    times = []
    with Session(engine) as session:
        first = partner_map(session, query, SINCE, NOW, NOW)
        for _ in range(RUNS):
            started = time.perf_counter()
            again = partner_map(session, query, SINCE, NOW, NOW)
            times.append((time.perf_counter() - started) * 1000)
            if len(again.points) != len(first.points):
                raise SystemExit("the number of points changed between runs")
    if not first.points or not any(p.referrals for p in first.points):
        raise SystemExit("the map has no points or no referrals in the period")
    return statistics.median(times), len(first.points)


def main() -> None:
    results = {}
    for backend in backends():
        with fresh_database(backend) as url:
            engine = engine_for(url)
            seed_demo(engine, partners=PARTNERS, years=3, seed=1, now=NOW, referrals=REFERRALS)
            milliseconds, count = median_ms(engine, PartnerQuery())
            print(f"# {backend}: {count:,} points", flush=True)
            results[backend] = milliseconds
            report_value(NAMES[backend], milliseconds, "ms")
            with Session(engine) as session:
                territory = filter_options(session)["territories"][0]
            one_ms, one_count = median_ms(engine, PartnerQuery(territories=[territory]))
            print(f"# {backend} {territory}: {one_count:,} points, {one_ms:.1f} ms", flush=True)
            engine.dispose()
    report_value("partner_map_ms", max(results.values()), "ms")


if __name__ == "__main__":
    main()
