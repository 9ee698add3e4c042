"""SQL pieces the outreach page needs that the two databases spell differently (see
crm/analytics/sql.py for the shared ones): written once, the same answer on both."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import DateTime


class shifted_days(FunctionElement):
    """A stored time moved by a whole number of days of exactly 24 hours (negative:
    earlier), of the column's own type, so it compares with stored times exactly; a
    range on it reads an index on the time.

    SQLite keeps UTC times as text 'YYYY-MM-DD HH:MM:SS.ffffff': only the date part is
    moved (`date` is exact calendar arithmetic) and the time of day, microseconds
    included, is kept as it is, so the result is in the stored format and string
    comparison is exact (`strftime` would round to milliseconds). PostgreSQL adds hours,
    not days, so the session's time zone and its daylight saving changes play no part."""

    type = DateTime(timezone=True)
    inherit_cache = True


def _parts(element: FunctionElement, compiler, **kw) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    column, days = list(element.clauses)
    return compiler.process(column, **kw), int(days.value)


@compiles(shifted_days, "sqlite")
def _shifted_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    column, days = _parts(element, compiler, **kw)
    return f"(date(substr({column}, 1, 10), '{days:+d} days') || substr({column}, 11))"


@compiles(shifted_days, "postgresql")
def _shifted_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    column, days = _parts(element, compiler, **kw)
    return f"({column} + interval '{days * 24} hours')"


def shift_days(column: ColumnElement, days: int) -> shifted_days:
    return shifted_days(column, literal(int(days), Integer))


class bit_set(FunctionElement[int]):
    """An aggregate: the union of a group's powers of two (each value 2 ** i), as one
    integer with bit i set. PostgreSQL's `bit_or` hashes by group with no sort; SQLite
    has no bitwise aggregate, but the sum of the distinct powers is the same number."""

    type = BigInteger()
    inherit_cache = True


@compiles(bit_set, "sqlite")
def _bit_set_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    (value,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"sum(DISTINCT {value})"


@compiles(bit_set, "postgresql")
def _bit_set_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    (value,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"bit_or(CAST({value} AS BIGINT))"


def bits(power_of_two: ColumnElement[int]) -> bit_set:
    return bit_set(power_of_two)
