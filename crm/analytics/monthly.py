"""Which partners send the referrals, month by month, and whether each is rising or
falling. Only the leading partners come back: ranking and the trend are done in SQL,
so the table costs the same for twenty partners or twenty thousand.

The trend is the least-squares slope of a partner's referrals against the month
(0, 1, 2, ... over every month the period touches, months without referrals counting
as zero), in referrals per month: +1.0 means one more referral each month. A period
within a single month has no trend. A partly covered first or last month counts only
its covered days, so compare trends over whole months.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Float, case, cast, func, literal, select
from sqlmodel import Session

from crm.analytics import sql
from crm.analytics.filters import Filters
from crm.analytics.overview import in_scope, partner_key, read_whole
from crm.models import Partner, Referral, User

_MONTH = re.compile(r"^\d{4}-\d{2}$")


def referrals_by_partner_month(session: Session, filters: Filters, top: int = 25) -> pd.DataFrame:
    """The `top` partners by referrals received in the period (ties: the older partner
    first): partner_id, partner, partner_type, owner, one 'YYYY-MM' column per month of
    the period (zero-filled), total and trend."""
    months = filters.period.months()
    leaders = _leaders(session, filters, top)
    columns = ["partner_id", "partner", "partner_type", "owner", *months, "total", "trend"]
    if not leaders:
        return pd.DataFrame(columns=columns)
    counts = _monthly_counts(session, filters, [row.partner_id for row in leaders])
    rows = []
    for row in leaders:
        per_month = {m: counts.get((row.partner_id, m), 0) for m in months}
        rows.append(
            {
                "partner_id": row.partner_id,
                "partner": row.name,
                "partner_type": row.partner_type,
                "owner": row.owner or "",
                **per_month,
                "total": int(row.total),
                "trend": None if row.trend is None else round(float(row.trend), 6),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def heatmap_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The by-month table in long form (partner_id, partner, month, referrals) for a heat map."""
    months = [c for c in table.columns if isinstance(c, str) and _MONTH.match(c)]
    if table.empty:
        return pd.DataFrame(columns=["partner_id", "partner", "month", "referrals"])
    long = table.melt(
        id_vars=["partner_id", "partner"],
        value_vars=months,
        var_name="month",
        value_name="referrals",
    )
    return long.astype({"referrals": int}).reset_index(drop=True)


def _slope_weight(received: ColumnElement, filters: Filters) -> ColumnElement[float] | None:
    """What one referral adds to its partner's least-squares slope:
    (x - mean x) / sum (x - mean x)^2 for its month x. Summed over a partner's referrals
    this is the slope, and the zero-filled months need no rows since they add nothing.
    Months are told apart by comparing times with their first instants (at the offset
    `sql.month` uses, so the two agree), cheaper than formatting every time."""
    months = filters.period.months()
    n = len(months)
    if n < 2:
        return None
    mean = (n - 1) / 2
    spread = sum((x - mean) ** 2 for x in range(n))
    offset = timedelta(minutes=filters.offset_minutes)
    starts = [datetime(int(key[:4]), int(key[5:]), 1, tzinfo=UTC) - offset for key in months[1:]]
    return case(
        *(
            (received < start, literal((x - mean) / spread, Float))
            for x, start in enumerate(starts)
        ),
        else_=literal((n - 1 - mean) / spread, Float),
    )


def _leaders(session: Session, filters: Filters, top: int) -> list:  # type: ignore[type-arg]
    """The leading partners by referrals, then the trend of those few only: the ranking
    needs just a count per partner, and each leader's own referrals are a range of the
    (partner, received) index."""
    key = partner_key(filters)
    totals = in_scope(
        select(key.label("partner_id"), func.count().label("total"))
        .select_from(Referral)
        .where(filters.within(read_whole(Referral.received_at))),
        filters,
    )
    ranked = totals.group_by(key).order_by(func.count().desc(), key).limit(top).cte("leaders")
    weight = _slope_weight(Referral.received_at, filters)
    statement = (
        select(
            ranked.c.partner_id,
            ranked.c.total,
            Partner.name,
            Partner.partner_type,
            func.coalesce(func.nullif(User.name, ""), User.email).label("owner"),
        )
        .join(Partner, Partner.id == ranked.c.partner_id)
        .outerjoin(User, User.id == Partner.owner_id)
        .order_by(ranked.c.total.desc(), ranked.c.partner_id)
    )
    if weight is None:
        return list(
            session.execute(statement.add_columns(cast(literal(None), Float).label("trend")))
        )
    trends = (
        select(Referral.partner_id, cast(func.sum(weight), Float).label("trend"))
        .where(
            Referral.partner_id.in_(select(ranked.c.partner_id)),
            filters.within(Referral.received_at),
            *filters.referral_clauses(Referral),
        )
        .group_by(Referral.partner_id)
        .subquery("trends")
    )
    statement = statement.add_columns(trends.c.trend).outerjoin(
        trends, trends.c.partner_id == ranked.c.partner_id
    )
    return list(session.execute(statement))


def _monthly_counts(
    session: Session, filters: Filters, partner_ids: list[int]
) -> dict[tuple[int, str], int]:
    month = sql.month(Referral.received_at, filters.offset_minutes).label("month")
    statement = in_scope(
        select(Referral.partner_id, month, func.count().label("n"))
        .select_from(Referral)
        .where(Referral.partner_id.in_(partner_ids), filters.within(Referral.received_at)),
        filters,
    )
    rows = session.execute(statement.group_by(Referral.partner_id, month))
    return {(r.partner_id, r.month): int(r.n) for r in rows}
