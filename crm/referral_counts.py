"""The referral hour counts (`ReferralHourCount`): what the funnel and the overview
sum instead of reading every referral. Triggers keep them in step with each write
(migration 0017); the referrals stay the truth, and `rebuild_summaries` recomputes
any range of hours from them in a few set-based statements, for the command line
(`crm analytics rebuild-summaries`) and the scheduler's reconciliation of recent days.

A page may read the counts only when they answer exactly: when every bound of its
periods falls on a whole UTC hour and the zone's offset is whole hours (for the months
of a breakdown). Every US zone always does; a zone like Asia/Kolkata reads referrals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, Select, case, cast, delete, func, select, true
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlmodel.sql.sqltypes import UTCDateTime

from crm.db import insert_for, is_sqlite
from crm.models import Referral, ReferralHourCount
from crm.vocab import ReferralStatus

STAGES = ("received", "contacted", "scheduled", "first_visit", "lost")
KEY = ("hour", "partner_id", "location_id", "service_line", "channel")
RECONCILE_DAYS = 3
_HOUR = timedelta(hours=1)


class hour_of(FunctionElement[datetime]):
    """The stored time cut down to its UTC hour, in the form the column stores (the
    same expression the triggers use)."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(hour_of, "sqlite")
def _hour_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    (column,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"strftime('%Y-%m-%d %H:00:00.000000', {column})"


@compiles(hour_of, "postgresql")
def _hour_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    (column,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"(date_trunc('hour', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


def answers_exactly(bounds: Iterable[datetime], offset_minutes: int = 0) -> bool:
    """Whether sums of whole hours give the same answer as the referrals for periods
    with these bounds (and months bucketed at this offset)."""
    return offset_minutes % 60 == 0 and all(
        b.astimezone(UTC).replace(minute=0, second=0, microsecond=0) == b for b in bounds
    )


def rebuild_summaries(
    engine: Engine, start: datetime | None = None, end: datetime | None = None
) -> int:
    """Recompute the counts of the hours from `start` to `end` (widened to whole hours;
    open on a side left None) from the referrals, in one transaction; returns how many
    rows the range holds. Writers wait while it runs, so none is counted twice or lost."""
    low = _floor_hour(start) if start else None
    high = _ceil_hour(end) if end else None
    with engine.begin() as connection:
        if not is_sqlite(engine):
            connection.exec_driver_sql("LOCK TABLE referral_hour_count IN EXCLUSIVE MODE")
        return _rebuild(connection, low, high)


def _rebuild(connection: Connection, low: datetime | None, high: datetime | None) -> int:
    counts = ReferralHourCount.__table__
    connection.execute(delete(counts).where(*_range(counts.c.hour, low, high)))
    statement = insert_for(connection, counts).from_select(
        [*KEY, *STAGES], hour_counts_from_referrals(low, high)
    )
    upsert = statement.on_conflict_do_update(
        index_elements=list(KEY), set_={s: statement.excluded[s] for s in STAGES}
    )
    connection.execute(upsert)
    rows = select(func.count()).select_from(counts).where(*_range(counts.c.hour, low, high))
    return connection.execute(rows).scalar_one()


@contextmanager
def counted_after_load(connection: Connection) -> Iterator[None]:
    """For a bulk load of referrals in `connection`'s transaction. SQLite's row triggers
    would upsert once per referral, more than doubling a load of millions, so they are
    lifted for the block and every count rebuilt from the referrals at its end, all in
    the one transaction (which holds SQLite's only write lock: nothing else writes in
    between, and a failed load puts the triggers back as it rolls back). PostgreSQL's
    statement triggers already count a COPY in one grouped upsert."""
    if connection.dialect.name != "sqlite":
        yield
        return
    if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN")  # so the triggers' DROP is part of it
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'referral'"
        " AND name LIKE 'referral_hour_count_%'"
    ).all()
    for name, _ in triggers:
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    for _, sql in triggers:
        connection.exec_driver_sql(sql)
    _rebuild(connection, None, None)


def reconcile_recent(engine: Engine, now: datetime, days: int = RECONCILE_DAYS) -> int:
    """The scheduler's pass: the last `days` days' hours (and any after `now`) rebuilt."""
    return rebuild_summaries(engine, now - timedelta(days=days), None)


def hour_counts_from_referrals(low: datetime | None, high: datetime | None) -> Select:
    """The hour counts as the referrals received from `low` to `high` give them: one
    row per key, the columns in the order of KEY then STAGES."""
    hour = hour_of(Referral.received_at)
    location = func.coalesce(Referral.location_id, 0)
    lost = func.coalesce(
        func.sum(case((Referral.status == ReferralStatus.LOST.value, 1), else_=0)), 0
    )
    return (
        select(
            hour,
            Referral.partner_id,
            location,
            Referral.service_line,
            Referral.channel,
            func.count(),
            func.count(Referral.contacted_at),
            func.count(Referral.scheduled_at),
            func.count(Referral.first_visit_at),
            cast(lost, Integer),
        )
        .where(true(), *_range(Referral.received_at, low, high))
        .group_by(hour, Referral.partner_id, location, Referral.service_line, Referral.channel)
    )


def _range(column, low: datetime | None, high: datetime | None) -> list:  # type: ignore[no-untyped-def]
    clauses = []
    if low is not None:
        clauses.append(column >= low)
    if high is not None:
        clauses.append(column < high)
    return clauses


def _floor_hour(at: datetime) -> datetime:
    if at.utcoffset() is None:
        raise ValueError("a rebuild's bounds need a time zone")
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _ceil_hour(at: datetime) -> datetime:
    floor = _floor_hour(at)
    return floor if floor == at else floor + _HOUR
