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
from sqlalchemy import ColumnElement, case, func, literal_column, or_, select, true, union_all
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
    figures: dict[str, list[float | int | None]] = {name: [] for name in METRICS}
    referrals = _referral_counts(session, filters, periods)
    new = _new_sources(session, filters, periods)
    partner_counts = _partner_counts(session, filters, periods)
    medians = _median_days(session, filters, periods)
    for slot, _ in enumerate(periods):
        received, visits, active = referrals[slot]
        dormant, touches = partner_counts[slot]
        for name, value in zip(METRICS, (received, visits, active, new[slot], dormant, touches, medians[slot])):
            figures[name].append(value)
    rows = [{"metric": name, "current": cur, "previous": prev, "last_year": ly,
             "change_vs_previous": change(cur, prev), "change_vs_last_year": change(cur, ly)}
            for name, (cur, prev, ly) in figures.items()]
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


def _periods(filters: Filters) -> list[Period]:
    return [filters.period, filters.period.previous(), filters.period.last_year()]


def _count_within(column: ColumnElement, filters: Filters, period: Period) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((filters.within(column, period), 1), else_=0)), 0)


def _any_within(column: ColumnElement, filters: Filters, periods: list[Period]) -> ColumnElement[bool]:
    return or_(*(filters.within(column, p) for p in periods))


def _referral_counts(session: Session, filters: Filters, periods: list[Period]) -> list[tuple[int, int, int]]:
    columns: list[ColumnElement] = []
    for period in periods:
        columns += [_count_within(Referral.received_at, filters, period),
                    _count_within(Referral.first_visit_at, filters, period),
                    func.count(func.distinct(case((filters.within(Referral.received_at, period),
                                                   Referral.partner_id))))]
    statement = select(*columns).select_from(Referral).where(
        or_(_any_within(Referral.received_at, filters, periods),
            _any_within(Referral.first_visit_at, filters, periods)))
    row = session.execute(in_scope(statement, filters)).one()
    return [(int(row[i]), int(row[i + 1]), int(row[i + 2])) for i in range(0, 9, 3)]


def _new_sources(session: Session, filters: Filters, periods: list[Period]) -> list[int]:
    earliest = min(p.bounds(filters.zone)[0] for p in periods)
    first = in_scope(select(Referral.partner_id, func.min(Referral.received_at).label("first"))
                     .select_from(Referral), filters)
    first = first.group_by(Referral.partner_id).having(func.min(Referral.received_at) >= earliest).subquery()
    row = session.execute(select(*(_count_within(first.c.first, filters, p) for p in periods))).one()
    return [int(v) for v in row]


def _partner_counts(session: Session, filters: Filters, periods: list[Period]) -> list[tuple[int, int]]:
    """Dormancies and touches, each one scan of its time index."""
    clauses = filters.partner_clauses(Partner)
    dormant = select(*(_count_within(PartnerStatusChange.at, filters, p).label(f"d{i}")
                       for i, p in enumerate(periods))).where(
        PartnerStatusChange.to_status == PartnerStatus.DORMANT.value,
        _any_within(PartnerStatusChange.at, filters, periods))
    touches = select(*(_count_within(Touch.occurred_at, filters, p).label(f"t{i}")
                       for i, p in enumerate(periods))).where(
        _any_within(Touch.occurred_at, filters, periods))
    if clauses:
        dormant = dormant.join(Partner, Partner.id == PartnerStatusChange.partner_id).where(*clauses)
        touches = touches.join(Partner, Partner.id == Touch.partner_id).where(*clauses)
    d, t = dormant.subquery(), touches.subquery()
    row = session.execute(select(d, t).select_from(d.join(t, true()))).one()
    return [(int(row[i]), int(row[i + 3])) for i in range(3)]


def _median_days(session: Session, filters: Filters, periods: list[Period]) -> list[float | None]:
    """Received to first visit, for the referrals whose first visit falls in each period;
    one branch per period because the period before and last year can overlap."""
    branches = [in_scope(select(literal_column(str(slot)).label("slot"),
                                sql.days_between(Referral.received_at, Referral.first_visit_at).label("days"))
                         .select_from(Referral).where(filters.within(Referral.first_visit_at, period)), filters)
                for slot, period in enumerate(periods)]
    source = union_all(*branches).subquery("first_visits")
    found = {int(r.slot): r.p50 for r in session.execute(sql.percentiles(source, "days", ["slot"], (50,)))}
    return [None if found.get(slot) is None else float(found[slot]) for slot in range(len(periods))]

