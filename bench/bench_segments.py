"""How long counting a realistic segment takes at the issue's scale: 20,000 partners,
500,000 referrals and 2,000 active enrolments (the target is under 200 ms).

The segment mixes columns and activity: primary care or orthopedics, tier A or B,
(referred in the last 90 days OR last touch older than 60 days), and not enrolled in
any cadence. Prints `BENCH segment_count_ms_sqlite`, `BENCH segment_count_ms_postgres`
(when LIAISON_BENCH_POSTGRES_URL is set) and `BENCH segment_count_ms`, the slower."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from common import backends, fresh_database, report_value
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.db import engine_for
from crm.models import Cadence, Enrolment, Partner
from crm.segments import SegmentDefinition, count_matching, matching_ids_select, parse_definition
from liaison.demo import seed_demo

PARTNERS = 20_000
REFERRALS = 500_000
ENROLMENTS = 2_000
RUNS = 15
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NAMES = {"sqlite": "segment_count_ms_sqlite", "postgresql": "segment_count_ms_postgres"}
SEGMENT = parse_definition(
    {
        "match": "all",
        "conditions": [
            {"field": "partner_type", "op": "in", "value": ["primary_care", "orthopedics"]},
            {"field": "tier", "op": "in", "value": ["A", "B"]},
            {
                "match": "any",
                "conditions": [
                    {"field": "referrals", "op": "in_last_days", "value": 90},
                    {"field": "last_touch", "op": "older_than_days", "value": 60},
                ],
            },
            {"field": "cadence", "op": "not_enrolled"},
        ],
    }
)

# Other shapes, timed for information (printed as comments, not BENCH lines).
SHAPES = {
    name: parse_definition(raw)
    for name, raw in {
        "referrals above 2/month over 12 months": {
            "conditions": [
                {
                    "field": "referrals",
                    "op": "per_month_above",
                    "value": {"per_month": 2, "months": 12},
                }
            ]
        },
        "referrals below 1/month over 12 months": {
            "conditions": [
                {
                    "field": "referrals",
                    "op": "per_month_below",
                    "value": {"per_month": 1, "months": 12},
                }
            ]
        },
        "never referred OR tagged OR football+soccer": {
            "match": "any",
            "conditions": [
                {"field": "referrals", "op": "never"},
                {"field": "tags", "op": "any", "value": ["hospital-affiliated"]},
                {"field": "sports", "op": "all", "value": ["football", "soccer"]},
            ],
        },
        "no event in a year AND zip 01/02 AND not Boston": {
            "conditions": [
                {"field": "event", "op": "none_attended_in_last_days", "value": 365},
                {"field": "zip", "op": "starts_with", "value": ["01", "02"]},
                {"field": "city", "op": "not_in", "value": ["boston"]},
            ]
        },
    }.items()
}


def enrol(engine: Engine) -> None:
    """One cadence with every 10th partner actively enrolled, inserted directly."""
    with Session(engine) as session:
        cadence = Cadence(name="Bench nurture", created_at=NOW, updated_at=NOW)
        session.add(cadence)
        session.flush()
        ids = session.scalars(select(Partner.id).order_by(Partner.id).limit(ENROLMENTS * 10)).all()[
            ::10
        ]
        session.execute(
            insert(Enrolment),
            [
                {
                    "cadence_id": cadence.id,
                    "partner_id": i,
                    "status": "active",
                    "exit_reason": "",
                    "source": "rule",
                    "enrolled_at": NOW,
                    "anchor_at": NOW,
                    "next_due_at": NOW,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in ids
            ],
        )
        session.commit()
        if engine.dialect.name == "postgresql":
            session.connection().exec_driver_sql("ANALYZE enrolment")
            session.commit()
        if len(ids) != ENROLMENTS:
            raise SystemExit(f"enrolled {len(ids)} partners, expected {ENROLMENTS}")


def median_count_ms(engine: Engine, segment: SegmentDefinition) -> tuple[float, int]:
    """Median wall time of count_matching over RUNS runs, after one warm-up; the count
    is checked against the ids actually listed, so a fast wrong answer fails."""
    times = []
    with Session(engine) as session:
        count = count_matching(session, segment, NOW)
        for _ in range(RUNS):
            started = time.perf_counter()
            again = count_matching(session, segment, NOW)
            times.append((time.perf_counter() - started) * 1000)
            if again != count:
                raise SystemExit(f"the count changed between runs: {count} then {again}")
        check = len(session.scalars(matching_ids_select(segment, NOW)).all())
    if not 0 < count == check:
        raise SystemExit(f"the segment counted {count} partners and listed {check}")
    return statistics.median(times), count


def main() -> None:
    results = {}
    for backend in backends():
        with fresh_database(backend) as url:
            engine = engine_for(url)
            seed_demo(engine, partners=PARTNERS, years=3, seed=1, now=NOW, referrals=REFERRALS)
            enrol(engine)
            milliseconds, count = median_count_ms(engine, SEGMENT)
            print(f"# {backend}: {count:,} of {PARTNERS:,} partners in the segment", flush=True)
            results[backend] = milliseconds
            report_value(NAMES[backend], milliseconds, "ms")
            for name, shape in SHAPES.items():
                other_ms, other_count = median_count_ms(engine, shape)
                print(
                    f"# {backend} {name}: {other_count:,} partners, {other_ms:.1f} ms", flush=True
                )
    report_value("segment_count_ms", max(results.values()), "ms")


if __name__ == "__main__":
    main()
