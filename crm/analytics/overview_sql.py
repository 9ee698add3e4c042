"""SQL pieces of the overview that the two databases spell differently (as in
`crm.analytics.sql`): the time from one stored time to another as a value to group by,
and its length in days.

Grouping by the span itself and converting each distinct span to days once is much
cheaper on PostgreSQL than converting every row (EXTRACT gives a numeric), and gives
exactly `sql.days_between`: `elapsed_days(elapsed(a, b))` is the same expression.
"""

from __future__ import annotations

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Float, NullType


class elapsed(FunctionElement[object]):
    """The time from the first stored time to the second: an interval on PostgreSQL,
    fractional days on SQLite. Equal spans are equal values, and they order as their
    lengths do; turn one into days with `elapsed_days`."""

    type = NullType()
    inherit_cache = True


class elapsed_days(FunctionElement[float]):
    """Fractional days of an `elapsed`, exactly as `sql.days_between` computes them."""

    type = Float()
    inherit_cache = True


@compiles(elapsed, "sqlite")
def _elapsed_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(elapsed, "postgresql")
def _elapsed_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"({end} - {start})"


@compiles(elapsed_days, "sqlite")
def _elapsed_days_sqlite(element, compiler, **kw):  # type: ignore[no-untyped-def]
    (span,) = (compiler.process(c, **kw) for c in element.clauses)
    return span


@compiles(elapsed_days, "postgresql")
def _elapsed_days_pg(element, compiler, **kw):  # type: ignore[no-untyped-def]
    (span,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM {span}) / 86400.0)"
