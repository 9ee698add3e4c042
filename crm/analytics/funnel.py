"""The referral funnel: of the referrals received in a period, how many were contacted,
scheduled, seen for a first visit or lost, and the conversion from stage to stage.

Each stage counts the referrals whose own date for it is set. A later stage does not
stand in for an earlier one, because that is not how the data is kept: the referral
form and the import check each date against receipt only, so a referral can arrive
from a practice system with an appointment date and no contact date. Such a gap shows
as a stage rate above 100% rather than as a contact nobody recorded. Lost is the
status a person sets, with a reason; a lost referral keeps whatever stages it reached.
A first visit counts once its date is recorded, even when booked ahead (the funnel
takes no `now`; the target breaches in crm.analytics.timing do wait for the day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
from sqlalchemy import Float, case, cast, func, literal, select
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import Session

from crm.analytics import sql
from crm.analytics.filters import Filters
from crm.models import Location, Partner, Referral, ReferralHourCount
from crm.referral_counts import answers_exactly
from crm.vocab import PartnerType, ReferralChannel, ReferralStatus

BREAKDOWNS: Final = ("partner_type", "partner", "location", "channel", "month")
COLUMNS: Final = [
    "group",
    "received",
    "contacted",
    "scheduled",
    "first_visit",
    "lost",
    "contact_rate",
    "schedule_rate",
    "visit_rate",
    "overall_rate",
]
NO_LOCATION: Final = "(no location)"
NO_REASON: Final = "(no reason given)"
NO_CHANNEL: Final = "(no channel)"
_ZEROS: Final = {"received": 0, "contacted": 0, "scheduled": 0, "first_visit": 0, "lost": 0}


def funnel(
    session: Session, filters: Filters, by: str | None = None, *, summaries: bool = True
) -> pd.DataFrame:
    """One row per group (a single "All" row when `by` is None); rates are None when
    their denominator is 0. By month lists every month of the period, empty ones too.
    The counts come from the referral hour counts when they answer exactly (see
    `crm.referral_counts`), else, or with `summaries=False`, from the referrals."""
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"cannot break the funnel down by {by!r}")
    use_counts = summaries and answers_exactly(filters.bounds, filters.offset_minutes)
    c = _counts(by, filters, _HOUR_COUNTS if use_counts else _REFERRALS)
    group = _label(by, c)
    query = select(
        group.label("group"),
        c.c.received,
        c.c.contacted,
        c.c.scheduled,
        c.c.first_visit,
        c.c.lost,
        _rate(c.c.contacted, c.c.received).label("contact_rate"),
        _rate(c.c.scheduled, c.c.contacted).label("schedule_rate"),
        _rate(c.c.first_visit, c.c.scheduled).label("visit_rate"),
        _rate(c.c.first_visit, c.c.received).label("overall_rate"),
    )
    if by in ("partner", "location"):
        query = query.outerjoin(*_named(by, c))
    query = query.order_by(c.c.key) if by == "month" else query.order_by(c.c.received.desc(), group)
    table = pd.DataFrame([dict(r._mapping) for r in session.execute(query)], columns=COLUMNS)
    if by == "month":
        table = _every_month(table, filters)
    if by == "partner_type":
        table["group"] = table["group"].map(_type_label)
    if by == "channel":
        table["group"] = table["group"].map(channel_label)
    return _typed(table)


def overall(breakdown: pd.DataFrame) -> pd.DataFrame:
    """The single "All" row of `funnel`, from any of its breakdowns: every referral of
    the period is in exactly one group, so the stage counts add up, and each rate is the
    same division of two whole numbers that the query makes. The page reads the period
    once for both tables."""
    totals = {column: int(breakdown[column].sum()) for column in COLUMNS[1:6]}

    def rate(part: str, whole: str) -> float | None:
        return totals[part] / totals[whole] if totals[whole] else None

    row = {
        "group": "All",
        **totals,
        "contact_rate": rate("contacted", "received"),
        "schedule_rate": rate("scheduled", "contacted"),
        "visit_rate": rate("first_visit", "scheduled"),
        "overall_rate": rate("first_visit", "received"),
    }
    return _typed(pd.DataFrame([row], columns=COLUMNS))


@dataclass(frozen=True)
class _Source:
    """Where the stage counts are read: each referral, or the hour counts."""

    table: Any
    received_at: ColumnElement
    stages: Callable[[], list[ColumnElement[int]]]
    where: Callable[[Filters], list[ColumnElement[bool]]]


def _referral_stages() -> list[ColumnElement[int]]:
    return [
        func.count(),
        _count(Referral.contacted_at.is_not(None)),
        _count(Referral.scheduled_at.is_not(None)),
        _count(Referral.first_visit_at.is_not(None)),
        _count(Referral.status == ReferralStatus.LOST.value),
    ]


def _hour_stages() -> list[ColumnElement[int]]:
    return [
        func.coalesce(func.sum(getattr(ReferralHourCount, stage)), 0)
        for stage in ("received", "contacted", "scheduled", "first_visit", "lost")
    ]


def hour_counts_in(filters: Filters) -> list[ColumnElement[bool]]:
    """`referrals_in` for the hour counts: the rows of the period the filters let through."""
    return [filters.within(ReferralHourCount.hour), *hour_counts_narrowed(filters)]


def hour_counts_narrowed(filters: Filters) -> list[ColumnElement[bool]]:
    """The hour counts every filter but the period lets through (a row whose referrals
    all went elsewhere counts none, so it is left out)."""
    clauses = [ReferralHourCount.received > 0, *filters.referral_clauses(ReferralHourCount)]
    partner = filters.partner_clauses(Partner)
    if partner:
        clauses.append(ReferralHourCount.partner_id.in_(select(Partner.id).where(*partner)))
    return clauses


def _counts(by: str | None, filters: Filters, source: _Source) -> Subquery:
    """The stage counts per group key. Referrals are counted per partner first and
    partners joined after, since joining every referral to its partner costs more than
    the counting (SQLite looks each one up)."""
    keys = _keys(by, filters, source)
    names = ("received", "contacted", "scheduled", "first_visit", "lost")
    counts = (
        select(*keys, *(c.label(n) for c, n in zip(source.stages(), names, strict=True)))
        .select_from(source.table)
        .where(*source.where(filters))
        .group_by(*keys)
    )
    if by != "partner_type":
        return counts.subquery("counts")
    per_partner = counts.subquery("per_partner")
    stages = [per_partner.c[name] for name in names]
    return (
        select(
            Partner.partner_type.label("key"),
            *(func.sum(stage).label(stage.name) for stage in stages),
        )
        .select_from(per_partner)
        .join(Partner, Partner.id == per_partner.c.key)
        .group_by(Partner.partner_type)
        .subquery("counts")
    )


def _keys(by: str | None, filters: Filters, source: _Source) -> list[ColumnElement]:
    table = source.table
    if by in ("partner", "partner_type"):
        return [table.partner_id.label("key")]
    if by == "location":
        return [table.location_id.label("key")]
    if by == "channel":
        return [table.channel.label("key")]
    if by == "month":
        return [sql.month(source.received_at, filters.offset_minutes).label("key")]
    return []


def _named(by: str, counts: Subquery) -> tuple:  # type: ignore[type-arg]
    if by == "partner":
        return (Partner, Partner.id == counts.c.key)
    return (Location, Location.id == counts.c.key)


def _label(by: str | None, counts: Subquery) -> ColumnElement:
    """Labels with literals stay outside the GROUP BY: PostgreSQL would not match them
    with the select list once each literal became a parameter of its own."""
    if by == "partner":
        return Partner.name
    if by == "location":
        return func.coalesce(Location.name, literal(NO_LOCATION))
    if by in ("partner_type", "channel", "month"):
        return counts.c.key
    return literal("All")


def lost_by_reason(session: Session, filters: Filters) -> pd.DataFrame:
    """Lost referrals received in the period by the reason given, most common first;
    `share` is of all the lost ones."""
    reason = func.trim(Referral.lost_reason)
    counts = (
        select(reason.label("reason"), func.count().label("referrals"))
        .where(*referrals_in(filters), Referral.status == ReferralStatus.LOST.value)
        .group_by(reason)
        .subquery("lost")
    )
    label = case((counts.c.reason == "", literal(NO_REASON)), else_=counts.c.reason)
    share = cast(counts.c.referrals, Float) / func.sum(counts.c.referrals).over()
    query = select(label.label("reason"), counts.c.referrals, share.label("share")).order_by(
        counts.c.referrals.desc(), label
    )
    rows = [dict(r._mapping) for r in session.execute(query)]
    return pd.DataFrame(rows, columns=["reason", "referrals", "share"])


def referrals_in(filters: Filters) -> list[ColumnElement[bool]]:
    """Referrals received in the period that every filter lets through. The partner
    filters pick partners by their own indexes, so no referral is joined to its partner."""
    clauses = [filters.within(Referral.received_at), *filters.referral_clauses(Referral)]
    partner = filters.partner_clauses(Partner)
    if partner:
        clauses.append(Referral.partner_id.in_(select(Partner.id).where(*partner)))
    return clauses


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _rate(part: ColumnElement, whole: ColumnElement) -> ColumnElement[float]:
    return cast(part, Float) / cast(func.nullif(whole, 0), Float)


def _every_month(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    found = {row["group"]: row for row in table.to_dict("records")}
    rows = [found.get(month, {"group": month, **_ZEROS}) for month in filters.period.months()]
    return pd.DataFrame(rows, columns=COLUMNS)


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    for column in COLUMNS[1:6]:
        table[column] = table[column].astype("int64")
    for column in COLUMNS[6:]:
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table.reset_index(drop=True)


def channel_label(value: str) -> str:
    """How a referral came in, as a marketer reads it ("Web form"); a referral typed in
    or imported without one says so."""
    if not value:
        return NO_CHANNEL
    try:
        return ReferralChannel(value).label
    except ValueError:
        return value


def _type_label(value: str) -> str:
    try:
        return PartnerType(value).label
    except ValueError:
        return value


_REFERRALS: Final = _Source(Referral, Referral.received_at, _referral_stages, referrals_in)
_HOUR_COUNTS: Final = _Source(
    ReferralHourCount, ReferralHourCount.hour, _hour_stages, hour_counts_in
)
