"""The pages that still read base rows (email engagement, dormancy alerts, outreach
results) read only the period's rows, through an index, never the whole of the tables
that grow with the years: every statement the page runs is captured and explained.

SQLite's EXPLAIN QUERY PLAN must show each read of referral, message or touch as a
SEARCH of an index (a SCAN, even of an index, reads everything stored); PostgreSQL's
EXPLAIN, with sequential scans priced out (on a test's few rows the planner would read
a table whole, as it should), must find an index with a condition for each."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm.analytics.dormancy import at_risk
from crm.analytics.engagement import GROUPINGS, email_rates
from crm.analytics.filters import Filters, Period
from crm.analytics.outreach import program_conversion
from tests.conftest import NOW
from tests.dormancy_helpers import SETTINGS, steady
from tests.engagement_helpers import make_message
from tests.factories import make_location, make_partner, make_referral, make_touch
from tests.outreach_data import cadence, enrol, invite, seasonal_sent
from tests.outreach_data import event as make_event

BIG = ("referral", "message", "touch")
YEAR = Filters(period=Period.last_full_months(NOW.date(), 12))


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def big_table_reads(session: Session, statement: str, parameters: Any) -> list[str]:
    """How the statement reads each big table, one line per read."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        return [
            detail
            for *_, detail in rows
            if detail.split(" ")[0] in ("SCAN", "SEARCH") and detail.split(" ")[1] in BIG
        ]
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    [[plan]] = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).all()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return list(_postgres_reads(plan[0]["Plan"]))


def _postgres_reads(node: dict) -> Iterator[str]:
    relation = node.get("Relation Name")
    if relation in BIG:
        kind = node["Node Type"]
        if kind == "Bitmap Heap Scan":
            conditions = [c.get("Index Cond") for c in node.get("Plans", [])]
            yield f"{kind} on {relation} ({'; '.join(filter(None, conditions)) or 'no condition'})"
        else:
            index = node.get("Index Name", "no index")
            yield f"{kind} on {relation} using {index} ({node.get('Index Cond', 'no condition')})"
    for child in node.get("Plans", []):
        if child.get("Node Type") != "Bitmap Index Scan":
            yield from _postgres_reads(child)


def reads_through_an_index(read: str) -> bool:
    if read.startswith(("SEARCH", "Index Scan", "Index Only Scan", "Bitmap Heap Scan")):
        return "no condition" not in read and "Seq Scan" not in read
    return False


def explained(session: Session, engine: Engine, page: Callable[[], Any]) -> list[str]:
    with statements(engine) as seen:
        page()
    reads = [read for sql, parameters in seen for read in big_table_reads(session, sql, parameters)]
    session.rollback()
    return reads


@pytest.fixture
def history(session: Session) -> None:
    """Three years of referrals, touches and email, and a program of each kind in the
    last year, so each page runs every one of its statements."""
    clinic = make_location(session)
    partners = [make_partner(session) for _ in range(12)]
    for n, partner in enumerate(partners):
        for days in range(5, 3 * 365, 40 + n):
            make_referral(session, partner, NOW - timedelta(days=days), location_id=clinic.id)
        make_touch(session, partner, NOW - timedelta(days=30 + n))
        make_message(session, "cadence", "cadence step 1", NOW - timedelta(days=60 + n), partner.id)
    steady(session, baseline=24, recent=0)  # flagged, so the follow-up queries run too
    program = cadence(session)
    enrol(session, program, partners[:4], NOW - timedelta(days=200))
    invite(session, make_event(session, NOW - timedelta(days=150)), partners[4:8])
    seasonal_sent(session, partners[8:], NOW - timedelta(days=180))


@pytest.mark.parametrize("by", GROUPINGS)
def test_the_email_page_reads_the_periods_emails_from_an_index(session, engine, history, by):
    reads = explained(session, engine, lambda: email_rates(session, YEAR, by))
    assert reads and all(reads_through_an_index(r) for r in reads), reads


def test_the_email_page_filtered_by_partner_type_reads_through_an_index(session, engine, history):
    narrowed = Filters(period=YEAR.period, partner_types=("primary_care",))
    reads = explained(session, engine, lambda: email_rates(session, narrowed, "program"))
    assert reads and all(reads_through_an_index(r) for r in reads), reads


def test_the_dormancy_page_reads_the_two_windows_referrals_from_an_index(session, engine, history):
    reads = explained(session, engine, lambda: at_risk(session, YEAR, NOW, SETTINGS))
    assert any("referral" in r for r in reads) and any("touch" in r for r in reads), reads
    assert all(reads_through_an_index(r) for r in reads), reads


def test_the_outreach_page_reads_each_reach_and_the_comparison_from_indexes(
    session, engine, history
):
    reads = explained(session, engine, lambda: program_conversion(session, YEAR, NOW, 90))
    assert any("referral" in r for r in reads) and any("message" in r for r in reads), reads
    assert all(reads_through_an_index(r) for r in reads), reads


def test_sqlite_reads_the_email_outcomes_from_the_covering_index_alone(
    session, engine, history, backend
):
    if backend != "sqlite":
        pytest.skip("PostgreSQL chooses an index-only scan from its visibility map")
    reads = explained(session, engine, lambda: email_rates(session, YEAR, "month"))
    assert reads == [r for r in reads if "COVERING INDEX ix_message_sent" in r] != [], reads
