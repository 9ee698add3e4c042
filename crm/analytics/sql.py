"""SQL pieces the two databases spell differently, so every analytics query is
written once and gives the same answer on SQLite and PostgreSQL.

Times are stored in UTC. Months and days are bucketed in the practice's zone by its
UTC offset (`Filters.offset_minutes`): exact except for the hour around a daylight
saving change, which never moves a referral out of a month that matters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Integer,
    Numeric,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
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


def interpolated(
    n: ColumnElement[int], percent: int, value_at: Callable[[ColumnElement[int]], ColumnElement]
) -> ColumnElement[float]:
    """The `percent`th percentile of `n` ordered values as PostgreSQL's percentile_cont
    interpolates it, from `value_at(rank)`: an aggregate giving the value at a 1-based
    rank. Integer arithmetic on the ranks, so SQLite answers the same."""
    steps = (n - 1) * percent
    low = 1 + steps // 100
    fraction = cast(steps % 100, Numeric) / 100.0
    low_value, high_value = value_at(low), value_at(low + 1)
    return cast(
        low_value + (func.coalesce(high_value, low_value) - low_value) * func.max(fraction), Float
    )


def percentiles(
    source: Subquery, value: str, groups: Sequence[str] = (), percents: Sequence[int] = (50, 90)
) -> Select:
    """Per group of `source`: n, then `p50`, `p90`, ... of `value`, interpolated between
    the closest ranks as PostgreSQL's percentile_cont does. Written with window
    functions and integer arithmetic so SQLite answers the same. Null values are left
    out; a group with none has no row."""
    v = source.c[value]
    keys = [source.c[name] for name in groups]
    ranked = (
        select(
            *keys,
            v.label("v"),
            func.row_number().over(partition_by=keys or None, order_by=v).label("rn"),
            func.count().over(partition_by=keys or None).label("n"),
        )
        .where(v.is_not(None))
        .subquery("ranked")
    )
    rk = [ranked.c[name] for name in groups]
    columns: list[ColumnElement] = [*rk, func.max(ranked.c.n).label("n")]
    for percent in percents:
        value = interpolated(
            ranked.c.n, percent, lambda rank: func.max(case((ranked.c.rn == rank, ranked.c.v)))
        )
        columns.append(value.label(f"p{percent}"))
    return select(*columns).group_by(*rk)


def percentiles_of_counts(
    source: Subquery,
    value: str,
    groups: Sequence[str] = (),
    percents: Sequence[int] = (50, 90),
    tally: str | None = None,
) -> Select:
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
        *ck,
        counted.c.v,
        cast(func.sum(k).over(partition_by=ck or None, order_by=counted.c.v), Integer).label("cum"),
        cast(func.sum(k).over(**whole), Integer).label("n"),
        *([cast(func.sum(counted.c.t).over(**whole), Integer).label("t")] if tally else []),
    ).subquery("running")
    rk = [running.c[name] for name in groups]
    columns: list[ColumnElement] = [*rk, func.max(running.c.n).label("n")]
    if tally:
        columns.append(func.max(running.c.t).label(tally))
    for percent in percents:
        value = interpolated(
            running.c.n, percent, lambda rank: func.min(case((running.c.cum >= rank, running.c.v)))
        )
        columns.append(value.label(f"p{percent}"))
    return select(*columns).group_by(*rk)


class epoch_ms(FunctionElement[int]):
    """Whole milliseconds from 1970-01-01 UTC to a stored time: an exact integer on both
    databases (SQLite keeps times to the millisecond; PostgreSQL's microseconds are
    rounded), so the difference of two is an exact duration. Integers sort and group
    faster than fractional days, and equal durations are always equal."""

    type = BigInteger()
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


def local_day_number(column: ColumnElement, offset_minutes: int) -> ColumnElement[int]:
    """Whole days from 1970-01-01 to the local date of a stored time (shifted by the
    zone's offset in minutes): an integer both databases do arithmetic on alike, so
    weekdays and business-day deadlines are computed in SQL. 1970-01-01 was a Thursday."""
    return local_day_of(milliseconds(column), offset_minutes)


def local_day_of(epoch_milliseconds: ColumnElement[int], offset_minutes: int) -> ColumnElement[int]:
    """`local_day_number` of a time already in epoch milliseconds (times after 1970, so
    integer division is the floor on both databases)."""
    return (epoch_milliseconds + int(offset_minutes) * 60_000) // MS_PER_DAY


def weekday(day_number: ColumnElement[int]) -> ColumnElement[int]:
    """Monday 0 to Sunday 6 of a `local_day_number`, as Python's `date.weekday()`."""
    return (day_number + 3) % 7


def percentiles_of_buckets(
    source: Subquery,
    value: str,
    groups: Sequence[str] = (),
    percents: Sequence[int] = (50, 90),
    width: int = 3_600_000,
    tally: str | None = None,
) -> Select:
    """The same answer as `percentiles_of_counts` (and so as `percentiles`) for an
    integer `value` and group keys that are never null, in two steps: count the values
    in buckets `width` wide, which finds the bucket holding each rank wanted and how many
    values come before it; then order only the values of those few buckets. Far fewer
    rows are ordered than there are distinct values (PostgreSQL also counts the buckets
    in memory), and the answer is exact whatever the width.

    `tally` as in `percentiles_of_counts`: rows with a null value are kept, count in no
    percentile, and the 0/1 column is summed over every row of the group."""
    v = source.c[value]
    keys = [source.c[name] for name in groups]
    bucket = v // width
    tallied = [func.sum(source.c[tally]).label("t")] if tally else [literal(0).label("t")]
    counted = select(*keys, bucket.label("b"), func.count().label("k"), *tallied).group_by(
        *keys, bucket
    )
    if tally is None:
        counted = counted.where(v.is_not(None))
    counted = counted.subquery("counted")
    ck = [counted.c[name] for name in groups]
    k = case((counted.c.b.is_not(None), counted.c.k), else_=0)
    whole = {"partition_by": ck or None, "order_by": counted.c.b, "rows": (None, None)}
    running = (
        select(
            *ck,
            counted.c.b,
            k.label("k"),
            cast(func.sum(k).over(partition_by=ck or None, order_by=counted.c.b), Integer).label(
                "cum"
            ),
            cast(func.sum(k).over(**whole), Integer).label("n"),
            cast(func.sum(counted.c.t).over(**whole), Integer).label("t"),
        )
        .cte("buckets")
        .prefix_with("MATERIALIZED")
    )
    rk = [running.c[name] for name in groups]

    def ranks(n: ColumnElement) -> list[ColumnElement]:
        lows = [1 + (n - 1) * percent // 100 for percent in percents]
        return [rank for low in lows for rank in (low, low + 1)]

    holds = or_(
        *(
            and_(running.c.cum - running.c.k < rank, rank <= running.c.cum)
            for rank in ranks(running.c.n)
        )
    )
    wanted = (
        select(*rk, running.c.b, (running.c.cum - running.c.k).label("before"), running.c.n)
        .where(running.c.b.is_not(None), holds)
        .subquery("wanted")
    )
    wk = [wanted.c[name] for name in groups]
    # the values of the wanted buckets picked by looking each up (an IN list both databases
    # index), then ranked within their bucket, then after the values before it
    picked = (
        select(
            *keys,
            v.label("v"),
            bucket.label("b"),
            func.row_number().over(partition_by=[*keys, bucket], order_by=v).label("r"),
        )
        .where(tuple_(*keys, bucket).in_(select(*wk, wanted.c.b)))
        .subquery("picked")
    )
    pk = [picked.c[name] for name in groups]
    fine = (
        select(
            *pk,
            picked.c.v,
            (wanted.c.before + picked.c.r).label("rank"),
            wanted.c.n,
            literal(None, Integer).label("t"),
        )
        .select_from(picked)
        .join(wanted, and_(*(key == w for key, w in zip(pk, wk)), picked.c.b == wanted.c.b))
    )
    everyone = select(
        *rk,
        literal(None, Integer).label("v"),
        literal(None, Integer).label("rank"),
        running.c.n,
        running.c.t,
    )  # so a group with no value still has its row
    rows = union_all(fine, everyone).subquery("ranked")
    gk = [rows.c[name] for name in groups]
    columns: list[ColumnElement] = [*gk, func.max(rows.c.n).label("n")]
    if tally:
        columns.append(func.max(rows.c.t).label(tally))
    for percent in percents:
        value = interpolated(
            rows.c.n, percent, lambda rank: func.min(case((rows.c.rank == rank, rows.c.v)))
        )
        columns.append(value.label(f"p{percent}"))
    return select(*columns).group_by(*gk)
