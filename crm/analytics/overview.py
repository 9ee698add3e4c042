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

from datetime import datetime

import pandas as pd
from sqlalchemy import ColumnElement, Float, Integer, case, cast, func, or_, select, true
from sqlalchemy.sql import Select, Subquery
from sqlmodel import Session

from crm.analytics import overview_sql, sql
from crm.analytics.filters import Filters, Period
from crm.analytics.funnel import hour_counts_narrowed
from crm.models import Partner, PartnerStatusChange, Referral, ReferralHourCount, Touch
from crm.referral_counts import answers_exactly
from crm.vocab import PartnerStatus

METRICS = (
    "Referrals",
    "Completed first visits",
    "Active referral sources",
    "New referral sources",
    "Partners gone dormant",
    "Touches",
    "Median days to first appointment",
)
_SLOTS = ("current", "previous", "last_year")


def headline(session: Session, filters: Filters, *, summaries: bool = True) -> pd.DataFrame:
    """One row per figure in METRICS order: current, previous, last_year and the change
    against each as a fraction (None when there is nothing to compare with). Referrals
    and sources come from the referral hour counts when they answer exactly (see
    `crm.referral_counts`), else, or with `summaries=False`, from the referrals."""
    periods = _periods(filters)
    distinct = list(dict.fromkeys(periods))  # for twelve months, last year is the period before
    bounds = [b for p in distinct for b in p.bounds(filters.zone)]
    count_sources = _hour_source_counts if summaries and answers_exactly(bounds) else _source_counts
    sources = count_sources(session, filters, distinct)
    partners = _partner_counts(session, filters, distinct)
    visits = _first_visits(session, filters, distinct)
    columns = [
        (received, visits[p][0], active, new, *partners[p], visits[p][1])
        for p, (received, active, new) in ((p, sources[p]) for p in periods)
    ]
    rows = [
        {
            "metric": name,
            "current": cur,
            "previous": prev,
            "last_year": ly,
            "change_vs_previous": change(cur, prev),
            "change_vs_last_year": change(cur, ly),
        }
        for name, (cur, prev, ly) in zip(METRICS, zip(*columns))
    ]
    return pd.DataFrame(
        rows, columns=["metric", *_SLOTS, "change_vs_previous", "change_vs_last_year"], dtype=object
    )


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
        statement = statement.join(Partner, Partner.id == Referral.partner_id).where(
            *partner_clauses
        )
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


class _Edges:
    """The periods' starts and ends as cut points: a row's count from each cut on
    (`at_or_after`) costs one comparison, and a period's count is the count from its
    start less the count from its end. The last end needs no count: every row read is
    before it."""

    def __init__(self, filters: Filters, periods: list[Period]) -> None:
        self.bounds = {p: p.bounds(filters.zone) for p in periods}
        self.last = max(end for _, end in self.bounds.values())
        self.cuts = sorted({t for pair in self.bounds.values() for t in pair if t < self.last})

    def at_or_after(
        self, column: ColumnElement, every_row_from: datetime | None = None
    ) -> list[ColumnElement[int]]:
        """The count from each cut on; from a cut that no row read is before (the rows
        are all `every_row_from` or later), simply the count of rows."""
        return [
            (
                func.count()
                if every_row_from is not None and cut <= every_row_from
                else func.count(case((column >= cut, 1)))
            ).label(f"c{i}")
            for i, cut in enumerate(self.cuts)
        ]

    def within(self, counts, period: Period) -> ColumnElement[int]:  # type: ignore[no-untyped-def]
        """How many of `counts` (a selectable with the `at_or_after` columns) fall in the period."""
        start, end = self.bounds[period]
        from_start = counts.c[f"c{self.cuts.index(start)}"]
        return from_start - counts.c[f"c{self.cuts.index(end)}"] if end < self.last else from_start


def _gaps_left_out(column: ColumnElement, edges: _Edges) -> list[ColumnElement[bool]]:
    """When the periods leave gaps in their span (a month, the month before and the
    same month last year), a condition keeping only the rows within a period, so rows
    in the gaps are dropped before they are sorted; none when the periods are contiguous."""
    runs: list[list] = []
    for start, end in sorted(edges.bounds.values()):
        if runs and start <= runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    if len(runs) < 2:
        return []
    return [or_(*((column >= start) & (column < end) for start, end in runs))]


def _source_counts(
    session: Session, filters: Filters, periods: list[Period]
) -> dict[Period, tuple[int, int, int]]:
    """Referrals, active and new sources per period, from one pass over the partners'
    referrals in (partner, received) order: a new source needs the partner's first
    referral ever, so the pass cannot start at the period."""
    edges = _Edges(filters, periods)
    key = partner_key(filters)
    per_partner = (
        in_scope(
            select(
                key.label("partner_id"),
                func.min(Referral.received_at).label("first"),
                *edges.at_or_after(Referral.received_at),
            )
            .select_from(Referral)
            .where(read_whole(Referral.received_at) < edges.last),
            filters,
        )
        .group_by(key)
        .subquery("per_partner")
    )
    return _per_period(session, filters, periods, edges, per_partner)


def _hour_source_counts(
    session: Session, filters: Filters, periods: list[Period]
) -> dict[Period, tuple[int, int, int]]:
    """`_source_counts` from the referral hour counts: a partner's first hour with a
    referral is its first referral's hour, and the periods start and end on whole hours."""
    edges = _Edges(filters, periods)
    counts = ReferralHourCount
    clauses = [counts.hour < edges.last, *hour_counts_narrowed(filters)]
    per_partner = (
        select(
            counts.partner_id.label("partner_id"),
            func.min(counts.hour).label("first"),
            *(
                func.sum(case((counts.hour >= cut, counts.received), else_=0)).label(f"c{i}")
                for i, cut in enumerate(edges.cuts)
            ),
        )
        .where(*clauses)
        .group_by(counts.partner_id)
        .subquery("per_partner")
    )
    return _per_period(session, filters, periods, edges, per_partner)


def _per_period(
    session: Session, filters: Filters, periods: list[Period], edges: _Edges, per_partner: Subquery
) -> dict[Period, tuple[int, int, int]]:
    """Referrals, partners who sent any, and partners whose first referral fell in it,
    for every period, from one row per partner of its counts at each cut."""
    columns: list[ColumnElement] = []
    for period in periods:
        n = edges.within(per_partner, period)
        columns += [
            func.coalesce(func.sum(n), 0),
            func.count(case((n > 0, 1))),
            func.count(case((filters.within(per_partner.c.first, period), 1))),
        ]
    row = session.execute(select(*columns)).one()
    return {
        p: (int(row[3 * i]), int(row[3 * i + 1]), int(row[3 * i + 2]))
        for i, p in enumerate(periods)
    }


def _partner_counts(
    session: Session, filters: Filters, periods: list[Period]
) -> dict[Period, tuple[int, int]]:
    """Dormancies and touches. Without a partner filter, a count of one range of each
    time index per period; with one, the chosen partners' own rows through the
    (partner, time) indexes, counted for every period in one pass."""
    clauses = filters.partner_clauses(Partner)
    if not clauses:
        counts = [
            select(func.count())
            .select_from(table)
            .where(*where, filters.within(column, p))
            .scalar_subquery()
            for p in periods
            for table, column, where in (
                (
                    PartnerStatusChange,
                    PartnerStatusChange.at,
                    [PartnerStatusChange.to_status == PartnerStatus.DORMANT.value],
                ),
                (Touch, Touch.occurred_at, []),
            )
        ]
        row = session.execute(select(*counts)).one()
        return {p: (int(row[2 * i]), int(row[2 * i + 1])) for i, p in enumerate(periods)}
    dormant = select(
        *(
            _count_within(PartnerStatusChange.at, filters, p).label(f"d{i}")
            for i, p in enumerate(periods)
        )
    ).where(
        PartnerStatusChange.to_status == PartnerStatus.DORMANT.value,
        _span(read_whole(PartnerStatusChange.at), filters, periods),
    )
    touches = select(
        *(
            _count_within(Touch.occurred_at, filters, p).label(f"t{i}")
            for i, p in enumerate(periods)
        )
    ).where(_span(read_whole(Touch.occurred_at), filters, periods))
    dormant = dormant.join(Partner, Partner.id == PartnerStatusChange.partner_id).where(*clauses)
    touches = touches.join(Partner, Partner.id == Touch.partner_id).where(*clauses)
    d, t = dormant.subquery(), touches.subquery()
    row = session.execute(select(d, t).select_from(d.join(t, true()))).one()
    return {p: (int(row[i]), int(row[i + len(periods)])) for i, p in enumerate(periods)}


def _first_visits(
    session: Session, filters: Filters, periods: list[Period]
) -> dict[Period, tuple[int, float | None]]:
    """First visits and the median days from receipt to first visit, for the referrals
    whose first visit falls in each period. One pass over the visits of all the periods
    (by default a range of the (first visit, received) index alone) counts how often
    each distinct number of days occurs in each period; the median is then read from
    the running counts, interpolated as `sql.percentiles` (PostgreSQL's
    percentile_cont) does, so the answer is the same as sorting every visit."""
    edges = _Edges(filters, periods)
    narrowed = bool(filters.partner_clauses(Partner) or filters.narrows_referrals)
    at = read_whole(Referral.first_visit_at) if narrowed else Referral.first_visit_at
    visits = in_scope(
        select(
            Referral.first_visit_at.label("at"),
            overview_sql.elapsed(Referral.received_at, Referral.first_visit_at).label("span"),
        )
        .select_from(Referral)
        .where(_span(at, filters, periods), *_gaps_left_out(at, edges)),
        filters,
    ).subquery("visits")
    # every visit has a span (received_at is never null), so none is left out; each
    # distinct span becomes days once, exactly as sql.days_between computes them
    spans = (
        select(visits.c.span, *edges.at_or_after(visits.c.at, every_row_from=edges.cuts[0]))
        .group_by(visits.c.span)
        .subquery("spans")
    )
    counted = select(
        cast(overview_sql.elapsed_days(spans.c.span), Float).label("v"),
        *(spans.c[f"c{i}"] for i in range(len(edges.cuts))),
    ).subquery("counted")
    by_period = [edges.within(counted, p) for p in periods]
    running = select(
        counted.c.v,
        *(
            column
            for i, k in enumerate(by_period)
            for column in (
                cast(func.sum(k).over(order_by=counted.c.v), Integer).label(f"cum{i}"),
                cast(func.sum(k).over(), Integer).label(f"n{i}"),
            )
        ),
    ).subquery("running")
    columns: list[ColumnElement] = []
    for i, _ in enumerate(periods):
        cum, n = running.c[f"cum{i}"], running.c[f"n{i}"]
        median = sql.interpolated(
            n, 50, lambda rank, cum=cum: func.min(case((cum >= rank, running.c.v)))
        )
        columns += [func.max(n), median]
    row = session.execute(select(*columns)).one()
    found: dict[Period, tuple[int, float | None]] = {}
    for i, p in enumerate(periods):
        n, median = row[2 * i], row[2 * i + 1]
        found[p] = (int(n), float(median)) if n else (0, None)
    return found
