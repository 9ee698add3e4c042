"""SQL pieces the two databases spell differently, so every analytics query is
written once and gives the same answer on SQLite and PostgreSQL.

Times are stored in UTC. Months and days are bucketed in the practice's zone by its
UTC offset (`Filters.offset_minutes`): exact except for the hour around a daylight
saving change, which never moves a referral out of a month that matters.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Numeric, case, cast, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.selectable import Subquery
from sqlalchemy.types import Float, String


class month_key(FunctionElement[str]):
    """'YYYY-MM' of a stored time, shifted by the zone's offset in minutes."""

    type = String()
    inherit_cache = True


class day_key(FunctionElement[str]):
    """'YYYY-MM-DD' of a stored time, shifted by the zone's offset in minutes."""

    type = String()
    inherit_cache = True


class days_between(FunctionElement[float]):
    """Fractional days from the first time to the second (negative if earlier)."""

    type = Float()
    inherit_cache = True


def _offset(element: FunctionElement, compiler, **kw) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    column, minutes = list(element.clauses)
    return compiler.process(column, **kw), int(minutes.value)


@compiles(month_key, "sqlite")
def _month_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    column, minutes = _offset(element, compiler, **kw)
    return f"strftime('%Y-%m', {column}, '{minutes:+d} minutes')"


@compiles(month_key, "postgresql")
def _month_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    column, minutes = _offset(element, compiler, **kw)
    return f"to_char(({column} AT TIME ZONE 'UTC') + interval '{minutes} minutes', 'YYYY-MM')"


@compiles(day_key, "sqlite")
def _day_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    column, minutes = _offset(element, compiler, **kw)
    return f"strftime('%Y-%m-%d', {column}, '{minutes:+d} minutes')"


@compiles(day_key, "postgresql")
def _day_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    column, minutes = _offset(element, compiler, **kw)
    return f"to_char(({column} AT TIME ZONE 'UTC') + interval '{minutes} minutes', 'YYYY-MM-DD')"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


def month(column: ColumnElement, offset_minutes: int) -> month_key:
    return month_key(column, literal(int(offset_minutes), Integer))


def day(column: ColumnElement, offset_minutes: int) -> day_key:
    return day_key(column, literal(int(offset_minutes), Integer))


def offset_minutes(zone: ZoneInfo, at: datetime) -> int:
    offset = at.astimezone(zone).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def percentiles(source: Subquery, value: str, groups: Sequence[str] = (),
                percents: Sequence[int] = (50, 90)) -> Select:
    """Per group of `source`: n, then `p50`, `p90`, ... of `value`, interpolated between
    the closest ranks as PostgreSQL's percentile_cont does. Written with window
    functions and integer arithmetic so SQLite answers the same. Null values are left
    out; a group with none has no row."""
    v = source.c[value]
    keys = [source.c[name] for name in groups]
    ranked = (
        select(*keys, v.label("v"),
               func.row_number().over(partition_by=keys or None, order_by=v).label("rn"),
               func.count().over(partition_by=keys or None).label("n"))
        .where(v.is_not(None))
        .subquery("ranked")
    )
    rk = [ranked.c[name] for name in groups]
    columns: list[ColumnElement] = [*rk, func.max(ranked.c.n).label("n")]
    for percent in percents:
        steps = (ranked.c.n - 1) * percent
        low = 1 + steps // 100
        fraction = cast(steps % 100, Numeric) / 100.0
        low_value = func.max(case((ranked.c.rn == low, ranked.c.v)))
        high_value = func.max(case((ranked.c.rn == low + 1, ranked.c.v)))
        interpolated = low_value + (func.coalesce(high_value, low_value) - low_value) * func.max(fraction)
        columns.append(cast(interpolated, Float).label(f"p{percent}"))
    return select(*columns).group_by(*rk)


class epoch_day(FunctionElement[int]):
    """Whole days from 1970-01-01 to the local date of a stored time (shifted by the
    zone's offset in minutes): an integer both databases do arithmetic on alike, so
    weekdays and business-day deadlines are computed in SQL. 1970-01-01 was a Thursday."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_day, "sqlite")
def _epoch_day_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    column, minutes = _offset(element, compiler, **kw)
    # julianday is exact to the millisecond here and cheaper than strftime('%s')
    return f"CAST(julianday({column}, '{minutes:+d} minutes') - 2440587.5 AS INTEGER)"


@compiles(epoch_day, "postgresql")
def _epoch_day_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    column, minutes = _offset(element, compiler, **kw)
    return f"CAST(floor((date_part('epoch', {column}) + {minutes * 60}) / 86400) AS INTEGER)"  # float8: faster


def local_day_number(column: ColumnElement, offset_minutes: int) -> epoch_day:
    return epoch_day(column, literal(int(offset_minutes), Integer))


def weekday(day_number: ColumnElement[int]) -> ColumnElement[int]:
    """Monday 0 to Sunday 6 of a `local_day_number`, as Python's `date.weekday()`."""
    return (day_number + 3) % 7


def percentiles_of_counts(source: Subquery, value: str, groups: Sequence[str] = (),
                          percents: Sequence[int] = (50, 90), tally: str | None = None) -> Select:
    """The same answer as `percentiles`, with the same interpolation, read from how many
    times each distinct value occurs: the value at rank r is the least whose running
    count reaches r. Times kept to the minute repeat a lot, so both databases group
    150,000 day counts into a few thousand rows instead of sorting them all, which is
    several times faster (and no slower when every value is distinct).

    With `tally` (the name of a 0/1 column of `source`), rows with a null value are kept
    too: they count in no percentile, but `tally` is summed over every row of the group,
    and a group whose values are all null has a row with `n` 0 and null percentiles. One
    pass then gives the percentiles and a count beside them."""
    v = source.c[value]
    keys = [source.c[name] for name in groups]
    tallied = [func.sum(source.c[tally]).label("t")] if tally else []
    counted = select(*keys, v.label("v"), func.count().label("k"), *tallied).group_by(*keys, v)
    if tally is None:
        counted = counted.where(v.is_not(None))
    counted = counted.subquery("counted")
    ck = [counted.c[name] for name in groups]
    k = counted.c.k if tally is None else case((counted.c.v.is_not(None), counted.c.k), else_=0)
    # the totals over the same ordering as the running count, so both come from one sort
    whole = {"partition_by": ck or None, "order_by": counted.c.v, "rows": (None, None)}
    running = select(
        *ck, counted.c.v,
        cast(func.sum(k).over(partition_by=ck or None, order_by=counted.c.v), Integer).label("cum"),
        cast(func.sum(k).over(**whole), Integer).label("n"),
        *([cast(func.sum(counted.c.t).over(**whole), Integer).label("t")] if tally else []),
    ).subquery("running")
    rk = [running.c[name] for name in groups]
    columns: list[ColumnElement] = [*rk, func.max(running.c.n).label("n")]
    if tally:
        columns.append(func.max(running.c.t).label(tally))
    for percent in percents:
        steps = (running.c.n - 1) * percent
        low = 1 + steps // 100
        fraction = cast(steps % 100, Numeric) / 100.0
        low_value = func.min(case((running.c.cum >= low, running.c.v)))
        high_value = func.min(case((running.c.cum >= low + 1, running.c.v)))
        interpolated = low_value + (func.coalesce(high_value, low_value) - low_value) * func.max(fraction)
        columns.append(cast(interpolated, Float).label(f"p{percent}"))
    return select(*columns).group_by(*rk)


class epoch_ms(FunctionElement[int]):
    """Whole milliseconds from 1970-01-01 UTC to a stored time: an exact integer on both
    databases (SQLite keeps times to the millisecond; PostgreSQL's microseconds are
    rounded), so the difference of two is an exact duration. Integers sort and group
    faster than fractional days, and equal durations are always equal."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_ms, "sqlite")
def _epoch_ms_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    (column,) = (compiler.process(c, **kw) for c in element.clauses)
    # julianday is a whole number of milliseconds over 86,400,000, within 0.05 ms: round is exact
    return f"CAST(round((julianday({column}) - 2440587.5) * 86400000) AS INTEGER)"


@compiles(epoch_ms, "postgresql")
def _epoch_ms_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    (column,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(round(date_part('epoch', {column}) * 1000) AS BIGINT)"


def milliseconds(column: ColumnElement) -> epoch_ms:
    return epoch_ms(column)


MS_PER_DAY: int = 86_400_000
