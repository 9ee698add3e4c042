"""The headline figures leadership reads first: is outreach bringing referrals, and
more than before? Each figure for the chosen period, the period before and the same
period last year, so one glance shows the direction and the season.

Referral figures count the referrals the filters keep (partner type, territory and
liaison; location and service line). A new source is a partner whose first referral
among those ever received falls in the period, so with a location chosen it is a new
source for that location. Touches and dormancy belong to partners, so only the partner
filters narrow them. Archived partners still count: their referrals happened.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, Float, case, cast, func, literal_column, select, true, union_all
from sqlalchemy.sql import Select
from sqlmodel import Session

from crm.analytics import sql
from crm.analytics.filters import Filters, Period
from crm.models import Partner, PartnerStatusChange, Referral, Touch
from crm.vocab import PartnerStatus

METRICS = ("Referrals", "Completed first visits", "Active referral sources", "New referral sources",
           "Partners gone dormant", "Touches", "Median days to first appointment")
_SLOTS = ("current", "previous", "last_year")


def headline(session: Session, filters: Filters) -> pd.DataFrame:
    """One row per figure in METRICS order: current, previous, last_year and the change
    against each as a fraction (None when there is nothing to compare with)."""
    periods = _periods(filters)
    sources = _source_counts(session, filters, periods)
    partners = _partner_counts(session, filters, periods)
    visits = _first_visits(session, filters, periods)
    columns = [(received, visits[slot][0], active, new, *partners[slot], visits[slot][1])
               for slot, (received, active, new) in enumerate(sources)]
    rows = [{"metric": name, "current": cur, "previous": prev, "last_year": ly,
             "change_vs_previous": change(cur, prev), "change_vs_last_year": change(cur, ly)}
            for name, (cur, prev, ly) in zip(METRICS, zip(*columns))]
    return pd.DataFrame(rows, columns=["metric", *_SLOTS, "change_vs_previous", "change_vs_last_year"],
                        dtype=object)


def change(current: float | None, before: float | None) -> float | None:
    """The relative change; none when there was nothing before to compare with."""
    if current is None or not before:
        return None
    return (current - before) / before


def in_scope(statement: Select, filters: Filters) -> Select:
    """Narrow a statement over Referral to the filters, joining Partner only when a
    partner filter needs it (the join costs a lookup per referral)."""
    partner_clauses = filters.partner_clauses(Partner)
    if partner_clauses:
        statement = statement.join(Partner, Partner.id == Referral.partner_id).where(*partner_clauses)
    return statement.where(*filters.referral_clauses(Referral))


def read_whole(column: ColumnElement) -> ColumnElement:
    """The column unchanged, through coalesce() so that neither planner ranges over its
    own index. For a period of months a query that needs other columns is an order of
    magnitude faster on SQLite reading a covering index (or the table) from end to end
    than looking up every row the time index finds."""
    return func.coalesce(column, column)


def partner_key(filters: Filters) -> ColumnElement[int]:
    """Referral.partner_id to group by. When a referral filter needs the table's own
    columns, an expression of it, so SQLite reads the table once and sorts rather than
    following the (partner, received) index with a row lookup per referral."""
    return Referral.partner_id + 0 if filters.narrows_referrals else Referral.partner_id


def _periods(filters: Filters) -> list[Period]:
    return [filters.period, filters.period.previous(), filters.period.last_year()]


def _count_within(column: ColumnElement, filters: Filters, period: Period) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((filters.within(column, period), 1), else_=0)), 0)


def _span(column: ColumnElement, filters: Filters, periods: list[Period]) -> ColumnElement[bool]:
    """One range over all the periods: a single index range scan, where an OR of
    ranges makes SQLite merge row ids."""
    bounds = [p.bounds(filters.zone) for p in periods]
    return (column >= min(b[0] for b in bounds)) & (column < max(b[1] for b in bounds))


def _source_counts(session: Session, filters: Filters, periods: list[Period]) -> list[tuple[int, int, int]]:
    """Referrals, active and new sources per period, from one pass over the partners'
    referrals in (partner, received) order: a new source needs the partner's first
    referral ever, so the pass cannot start at the period."""
    latest = max(p.bounds(filters.zone)[1] for p in periods)
    key = partner_key(filters)
    per_partner = in_scope(
        select(key.label("partner_id"), func.min(Referral.received_at).label("first"),
               *(_count_within(Referral.received_at, filters, p).label(f"n{slot}")
                 for slot, p in enumerate(periods)))
        .select_from(Referral).where(read_whole(Referral.received_at) < latest), filters,
    ).group_by(key).subquery("per_partner")
    columns: list[ColumnElement] = []
    for slot, period in enumerate(periods):
        n = per_partner.c[f"n{slot}"]
        columns += [func.coalesce(func.sum(n), 0), func.coalesce(func.sum(case((n > 0, 1), else_=0)), 0),
                    _count_within(per_partner.c.first, filters, period)]
    row = session.execute(select(*columns)).one()
    return [(int(row[i]), int(row[i + 1]), int(row[i + 2])) for i in range(0, 3 * len(periods), 3)]


def _partner_counts(session: Session, filters: Filters, periods: list[Period]) -> list[tuple[int, int]]:
    """Dormancies and touches: one range of each time index, or with a partner filter
    the chosen partners' own rows through the (partner, time) indexes."""
    clauses = filters.partner_clauses(Partner)
    narrow = read_whole if clauses else (lambda column: column)
    dormant = select(*(_count_within(PartnerStatusChange.at, filters, p).label(f"d{i}")
                       for i, p in enumerate(periods))).where(
        PartnerStatusChange.to_status == PartnerStatus.DORMANT.value,
        _span(narrow(PartnerStatusChange.at), filters, periods))
    touches = select(*(_count_within(Touch.occurred_at, filters, p).label(f"t{i}")
                       for i, p in enumerate(periods))).where(_span(narrow(Touch.occurred_at), filters, periods))
    if clauses:
        dormant = dormant.join(Partner, Partner.id == PartnerStatusChange.partner_id).where(*clauses)
        touches = touches.join(Partner, Partner.id == Touch.partner_id).where(*clauses)
    d, t = dormant.subquery(), touches.subquery()
    row = session.execute(select(d, t).select_from(d.join(t, true()))).one()
    return [(int(row[i]), int(row[i + 3])) for i in range(3)]


def _first_visits(session: Session, filters: Filters, periods: list[Period]) -> list[tuple[int, float | None]]:
    """First visits and the median days from receipt to first visit, for the referrals
    whose first visit falls in each period. The visits of all the periods are read in
    one pass, then taken once per distinct period (the period before and last year can
    overlap, and are the same for twelve months)."""
    distinct = list(dict.fromkeys(periods))
    visits = in_scope(select(Referral.first_visit_at.label("at"),
                             cast(sql.days_between(Referral.received_at, Referral.first_visit_at), Float)
                             .label("days"))
                      .select_from(Referral).where(_span(read_whole(Referral.first_visit_at), filters, distinct)),
                      filters).cte("visits")
    branches = [select(literal_column(str(slot)).label("slot"), visits.c.days).where(filters.within(visits.c.at, p))
                for slot, p in enumerate(distinct)]
    source = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery("by_period")
    found = {int(r.slot): (int(r.n), float(r.p50))
             for r in session.execute(sql.percentiles(source, "days", ["slot"], (50,)))}
    return [found.get(distinct.index(p), (0, None)) for p in periods]
