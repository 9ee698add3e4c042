"""How fast referrals move: days from receipt to each stage, and the referrals that
missed the practice's targets for them.

Time to a stage counts only the referrals that reached it (an open referral has no
time yet); how many are still open at each stage is reported beside it.

A target is a number of business days (Monday to Friday less the practice's holidays
and closed days, as crm/business_days.py counts them) from receipt, on the practice's local calendar: a referral received on
Friday afternoon with a one-business-day target is on time if contacted any time on
Monday, late on Tuesday; one received on Saturday counts as if received on Friday
(Saturday + 1 is Monday). The deadline is the end of that local day. A referral breaks
a target when the stage happened on a later local day, or has not happened and that
day is over as of `now`. A lost referral has no date for when it was lost, so it is
judged on the stages it reached and never on the ones it did not: it cannot be late
for a step the practice stopped taking. Deadlines are worked out in SQL from the local
day number and its weekday (and, for the period's few days before a holiday, from a
list), so listing breaches stays one query on any size of table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Protocol

import pandas as pd
from sqlalchemy import and_, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.selectable import CTE, Selectable, Subquery
from sqlmodel import Session

from crm import practice_calendar
from crm.analytics import sql
from crm.analytics.filters import Filters, Period
from crm.analytics.funnel import NO_LOCATION, channel_label, referrals_in
from crm.business_days import Calendar, add_business_days
from crm.clock import as_utc
from crm.models import Location, Partner, Referral
from crm.vocab import PartnerType, ReferralStatus

STAGES: Final = ("first contact", "scheduled", "first visit")
TIMING_BREAKDOWNS: Final = ("location", "partner_type")
_EPOCH: Final = date(1970, 1, 1)
_A_MONDAY: Final = date(2024, 1, 1)
_COLUMNS: Final = {
    "first contact": Referral.contacted_at,
    "scheduled": Referral.scheduled_at,
    "first visit": Referral.first_visit_at,
}


class _TargetSettings(Protocol):
    target_contact_business_days: int
    target_schedule_business_days: int
    target_first_visit_business_days: int


@dataclass(frozen=True)
class Targets:
    """Business days from receipt to first contact, to scheduling and to a first visit."""

    contact: int = 1
    schedule: int = 3
    first_visit: int = 10

    @classmethod
    def from_settings(cls, settings: _TargetSettings) -> Targets:
        return cls(
            contact=settings.target_contact_business_days,
            schedule=settings.target_schedule_business_days,
            first_visit=settings.target_first_visit_business_days,
        )

    def days(self, stage: str) -> int:
        return {
            "first contact": self.contact,
            "scheduled": self.schedule,
            "first visit": self.first_visit,
        }[stage]

    def label(self, stage: str) -> str:
        """The target in words, as the page and the breach list state it."""
        days = self.days(stage)
        if days == 0:
            return f"{stage} the same business day"
        return f"{stage} within {days} business day{'s' if days != 1 else ''}"


@dataclass(frozen=True)
class Timings:
    """What the funnel page shows about speed: `time_to_stage`, `breach_counts` and
    `target_breaches`, as those functions return them."""

    time_to_stage: pd.DataFrame
    breach_counts: pd.DataFrame
    breaches: pd.DataFrame
    breach_counts_by_channel: pd.DataFrame


def time_to_stage(session: Session, filters: Filters, by: str | None = None) -> pd.DataFrame:
    """Per group and stage: `referrals` that reached the stage, their median and 90th
    percentile days from receipt, and `still_open` (neither reached it nor lost).
    Medians are None for a stage no referral reached."""
    query = _stage_times(_per_referral(filters, _checked(by)), by)
    return _timing_table(session, list(session.execute(query)), by)


def target_breaches(
    session: Session,
    filters: Filters,
    targets: Targets,
    now: datetime,
    limit: int = 500,
    calendar: Calendar | None = None,
) -> pd.DataFrame:
    """Referrals received in the period that broke a target, most days late first: one
    row per referral and target. `deadline` is the local date by whose end the stage was
    due; `happened_at` is None while the stage is still to come; `late_by_days` counts
    local calendar days past the deadline (to today for an open one)."""
    days, today = (
        _days(_per_referral(filters), filters, now, targets, _calendar(session, calendar, filters)),
        _day_number(now, filters.offset_minutes),
    )
    listed = _listed(days, targets, today, now, limit).subquery("breach_list")
    return _breach_table(
        [r._mapping for r in session.execute(select(listed).order_by(*_latest_first(listed)))]
    )


def breach_counts(
    session: Session,
    filters: Filters,
    targets: Targets,
    now: datetime,
    calendar: Calendar | None = None,
) -> pd.DataFrame:
    """Per target: `breached`, `total` (referrals that can be judged: the stage happened,
    or its deadline passed without it and the referral is not lost) and `share`
    (None when nothing could be judged yet)."""
    counts = _channel_counts(session, filters, targets, now, calendar)
    return _count_table(_summed(counts), targets)


def breach_counts_by_channel(
    session: Session,
    filters: Filters,
    targets: Targets,
    now: datetime,
    calendar: Calendar | None = None,
) -> pd.DataFrame:
    """`breach_counts` per channel the referrals came by (web form, phone, fax, ...):
    one row per channel and target, channels by name."""
    return _channel_table(_channel_counts(session, filters, targets, now, calendar), targets)


def _channel_counts(
    session: Session,
    filters: Filters,
    targets: Targets,
    now: datetime,
    calendar: Calendar | None,
) -> list:  # type: ignore[type-arg]
    days, today = (
        _days(_per_referral(filters), filters, now, targets, _calendar(session, calendar, filters)),
        _day_number(now, filters.offset_minutes),
    )
    return [r._mapping for r in session.execute(_counted(days, today))]


def _counted(days, today: int) -> Select:  # type: ignore[no-untyped-def]
    return select(days.c.channel, *_judged(days, today)).select_from(days).group_by(days.c.channel)


def timings(
    session: Session,
    filters: Filters,
    targets: Targets,
    now: datetime,
    by: str | None = None,
    limit: int = 500,
    calendar: Calendar | None = None,
) -> Timings:
    """The three (and the breach counts by channel) in one statement, with the same answers: the period's referrals are
    read and their times worked out once, which is most of the cost of each. The rows
    of the three parts are stacked, each part padding the others' columns with nulls."""
    per_referral = _per_referral(filters, _checked(by))
    days, today = (
        _days(per_referral, filters, now, targets, _calendar(session, calendar, filters)),
        _day_number(now, filters.offset_minutes),
    )
    counts = _counted(days, today).cte("breach_counts")
    listed = _listed(days, targets, today, now, limit).subquery("breach_list")
    parts = {
        "time": _stage_times(per_referral, by).subquery("stage_times"),
        "count": counts,
        "breach": listed,
    }
    stacked = _stacked(parts)
    rows = session.execute(select(stacked).order_by(stacked.c.part, *_latest_first(stacked))).all()
    found = {name: [r for r in rows if r.part == name] for name in parts}
    counted = [r._mapping for r in found["count"]]
    return Timings(
        time_to_stage=_timing_table(session, found["time"], by),
        breach_counts=_count_table(_summed(counted), targets),
        breaches=_breach_table([r._mapping for r in found["breach"]]),
        breach_counts_by_channel=_channel_table(counted, targets),
    )


def _calendar(session: Session, calendar: Calendar | None, filters: Filters) -> Calendar:
    """The calendar given, else the practice's around the period (one small read)."""
    if calendar is not None:
        return calendar
    return practice_calendar.load(session, filters.period.start)


def _checked(by: str | None) -> str | None:
    if by is not None and by not in TIMING_BREAKDOWNS:
        raise ValueError(f"cannot break the timing down by {by!r}")
    return by


def _per_referral(filters: Filters, by: str | None = None) -> CTE:
    """Each referral of the period once, as integers only: its group (never null for
    the bucketed percentiles: no location is -1, named after the query), whether it is
    lost, and its receipt and stages in epoch milliseconds. Materialized, since reading
    and converting the stored times is most of the cost of everything below; durations
    and local day numbers are then integer arithmetic on these columns."""
    group = func.coalesce(Referral.location_id, -1) if by == "location" else _group(by)
    return (
        select(
            Referral.id.label("referral_id"),
            group.label("grp"),
            Referral.channel.label("channel"),
            case((Referral.status == ReferralStatus.LOST.value, 0), else_=1).label("open"),
            sql.milliseconds(Referral.received_at).label("received_ms"),
            *(
                sql.milliseconds(column).label(f"at_{i}")
                for i, column in enumerate(_COLUMNS.values())
            ),
        )
        .select_from(_joined(by))
        .where(*referrals_in(filters))
        .cte("per_referral")
        .prefix_with("MATERIALIZED")
    )


def _stage_times(per_referral: CTE, by: str | None) -> Select:
    """Per group and stage, the percentiles of milliseconds to reach it (exact integers,
    which sort faster than fractional days) and, without a time, the open ones; every
    referral is at the first stage, so a group whose referrals were all lost before
    reaching anything still shows."""
    p = per_referral.c
    reached = union_all(
        *(
            select(
                p.grp,
                literal(i).label("stage"),
                (p[f"at_{i}"] - p.received_ms).label("ms"),
                case((p[f"at_{i}"].is_(None), p.open), else_=0).label("still_open"),
            ).where(*([] if i == 0 else [or_(p[f"at_{i}"].is_not(None), p.open == 1)]))
            for i in range(len(STAGES))
        )
    ).subquery("reached")
    keys = ["stage"] if by is None else ["grp", "stage"]
    return sql.percentiles_of_buckets(reached, "ms", keys, tally="still_open")


def _timing_table(session: Session, found_rows: list, by: str | None) -> pd.DataFrame:  # type: ignore[type-arg]
    found = {(r.grp if by else "All", STAGES[r.stage]): r for r in found_rows}
    rows = []
    for grp in dict.fromkeys(g for g, _ in found):
        for stage in STAGES:
            r = found.get((grp, stage))
            rows.append(
                {
                    "group": grp,
                    "stage": stage,
                    "referrals": r.n if r else 0,
                    "median_days": _days_of(r.p50) if r else None,
                    "p90_days": _days_of(r.p90) if r else None,
                    "still_open": r.still_open if r else 0,
                }
            )
    if by is None and not rows:
        rows = [
            {
                "group": "All",
                "stage": stage,
                "referrals": 0,
                "median_days": None,
                "p90_days": None,
                "still_open": 0,
            }
            for stage in STAGES
        ]
    table = pd.DataFrame(
        rows, columns=["group", "stage", "referrals", "median_days", "p90_days", "still_open"]
    )
    for column in ("median_days", "p90_days"):
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    if by == "location":
        names = dict(session.execute(select(Location.id, Location.name)).all())
        table["group"] = [names.get(i, NO_LOCATION) for i in table["group"]]
    if by == "partner_type":
        table["group"] = table["group"].map(_type_label)
    return table.sort_values(["group", "stage"], key=_stage_order, kind="stable").reset_index(
        drop=True
    )


def _stacked(parts: dict[str, Selectable]) -> Subquery:
    """The parts' rows one after another under the union of their columns, with a
    `part` column naming each row's part. Missing columns are nulls of the type the
    other parts give them, as PostgreSQL wants in a union."""
    columns: dict[str, ColumnElement] = {}
    for part in parts.values():
        for column in part.c:
            columns.setdefault(column.name, column)
    return union_all(
        *(
            select(
                literal(name).label("part"),
                *(
                    part.c[c] if c in part.c else cast(null(), column.type).label(c)
                    for c, column in columns.items()
                ),
            ).select_from(part)
            for name, part in parts.items()
        )
    ).subquery("stacked")


def _listed(days, targets: Targets, today: int, now: datetime, limit: int) -> Select:  # type: ignore[no-untyped-def]
    """The breaches, most days late first, named after the limit: times, partners and
    locations are looked up for the listed referrals only."""
    every = union_all(
        *(  # only the numbers: times, partners and locations for the listed ones after
            select(
                days.c.referral_id,
                days.c.received_ms,
                literal(i).label("stage"),
                literal(targets.label(stage)).label("target"),
                days.c[f"deadline_{i}"].label("deadline_day"),
                (func.coalesce(days.c[f"day_{i}"], literal(today)) - days.c[f"deadline_{i}"]).label(
                    "late_by_days"
                ),
            ).where(_breached(days, i, today))
            for i, stage in enumerate(STAGES)
        )
    ).subquery("every")
    listed = select(every).order_by(*_latest_first(every)).limit(limit).subquery("listed")
    happened = case(
        *(
            (listed.c.stage == i, case((and_(column.is_not(None), column <= now), column)))
            for i, column in enumerate(_COLUMNS.values())
        )
    )
    return (
        select(
            listed.c.referral_id,
            Partner.name.label("partner"),
            func.coalesce(Location.name, literal(NO_LOCATION)).label("location"),
            Referral.channel,
            listed.c.received_ms,
            Referral.received_at,
            listed.c.target,
            listed.c.deadline_day,
            happened.label("happened_at"),
            listed.c.late_by_days,
        )
        .select_from(listed)
        .join(Referral, Referral.id == listed.c.referral_id)
        .join(Partner, Partner.id == Referral.partner_id)
        .outerjoin(Location, Location.id == Referral.location_id)
    )


def _breach_table(found: list) -> pd.DataFrame:  # type: ignore[type-arg]
    columns = [
        "referral_id",
        "partner",
        "location",
        "channel",
        "received_at",
        "target",
        "deadline",
        "happened_at",
        "late_by_days",
    ]
    rows = [
        {
            "referral_id": r["referral_id"],
            "partner": r["partner"],
            "location": r["location"],
            "channel": channel_label(r["channel"]),
            "received_at": _aware(r["received_at"]),
            "target": r["target"],
            "deadline": _EPOCH + timedelta(days=int(r["deadline_day"])),
            "happened_at": _aware(r["happened_at"]),
            "late_by_days": r["late_by_days"],
        }
        for r in found
    ]
    table = pd.DataFrame(rows, columns=columns)
    table["late_by_days"] = table["late_by_days"].astype("int64")
    table["happened_at"] = (
        table["happened_at"].astype(object).where(table["happened_at"].notna(), None)
    )
    return table


def _judged(days, today: int) -> list[ColumnElement[int]]:  # type: ignore[no-untyped-def]
    sums = []
    for i in range(len(STAGES)):
        judged = or_(
            days.c[f"day_{i}"].is_not(None),
            and_(days.c.open == 1, literal(today) > days.c[f"deadline_{i}"]),
        )
        sums += [
            _count(_breached(days, i, today)).label(f"breached_{i}"),
            _count(judged).label(f"total_{i}"),
        ]
    return sums


def _summed(rows: list) -> dict[str, int]:  # type: ignore[type-arg]
    """The per-channel counts added up: every referral has exactly one channel."""
    names = [f"{kind}_{i}" for i in range(len(STAGES)) for kind in ("breached", "total")]
    return {name: sum(int(r[name]) for r in rows) for name in names}


def _channel_table(rows: list, targets: Targets) -> pd.DataFrame:  # type: ignore[type-arg]
    by_channel = sorted(rows, key=lambda r: channel_label(r["channel"]))
    tables = [
        _count_table(r, targets).assign(channel=channel_label(r["channel"])) for r in by_channel
    ]
    columns = ["channel", "target", "breached", "total", "share"]
    if not tables:
        return pd.DataFrame(columns=columns)
    return pd.concat(tables, ignore_index=True)[columns]


def _count_table(row, targets: Targets) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    table = pd.DataFrame(
        [
            {
                "target": targets.label(stage),
                "breached": int(row[f"breached_{i}"]),
                "total": int(row[f"total_{i}"]),
            }
            for i, stage in enumerate(STAGES)
        ]
    )
    table["share"] = [b / t if t else None for b, t in zip(table["breached"], table["total"])]
    return table


def _days(per_referral: CTE, filters: Filters, now: datetime, targets: Targets, calendar: Calendar):  # type: ignore[no-untyped-def]
    """Per referral in the period: whether it is still open (not lost), each stage's
    deadline as a local day number, and the local day each stage happened on if it has
    by `now` (a first visit is often booked ahead), else null. Integers worked out from
    `_per_referral` where they are read."""
    p, offset = per_referral.c, filters.offset_minutes
    received = sql.local_day_of(p.received_ms, offset)
    now_ms = round(now.timestamp() * 1000)
    stages = [
        case((p[f"at_{i}"] <= now_ms, sql.local_day_of(p[f"at_{i}"], offset))).label(f"day_{i}")
        for i in range(len(STAGES))
    ]
    return (
        select(
            p.referral_id,
            p.received_ms,
            p.channel,
            p.open,
            *stages,
            *(
                deadline.label(f"deadline_{i}")
                for i, deadline in enumerate(
                    _deadlines(received, targets, filters.period, calendar)
                )
            ),
        )
        .cte("days")
        .prefix_with("NOT MATERIALIZED")
    )


def _deadlines(
    received: ColumnElement[int], targets: Targets, period: Period, calendar: Calendar
) -> list[ColumnElement[int]]:
    """Each stage's deadline as a local day number: the day of receipt moved by what
    `add_business_days` does from a day of the same weekday, except for the days of
    the period whose deadline a holiday or closed day moves, which are listed."""
    deadlines = []
    for stage in STAGES:
        count = targets.days(stage)
        shifts = [
            (add_business_days(_A_MONDAY + timedelta(days=w), count) - _A_MONDAY).days - w
            for w in range(7)
        ]
        by_weekday = received + case(dict(enumerate(shifts)), value=sql.weekday(received))
        moved = _moved_deadlines(period, count, shifts, calendar)
        deadlines.append(case(moved, value=received, else_=by_weekday) if moved else by_weekday)
    return deadlines


def _moved_deadlines(
    period: Period, count: int, shifts: list[int], calendar: Calendar
) -> dict[int, int]:
    """Day number of receipt -> deadline day number, for the period's days where the
    practice's calendar gives another deadline than the weekday alone."""
    if not calendar.closed:
        return {}
    moved = {}
    day = period.start
    while day < period.end:
        deadline = add_business_days(day, count, calendar)
        if (deadline - day).days != shifts[day.weekday()]:
            moved[(day - _EPOCH).days] = (deadline - _EPOCH).days
        day += timedelta(days=1)
    return moved


def _breached(days, i: int, today: int) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """Happened on a later day than the deadline, or not yet and still open with the
    deadline day over."""
    return (
        func.coalesce(days.c[f"day_{i}"], case((days.c.open == 1, literal(today))))
        > days.c[f"deadline_{i}"]
    )


def _latest_first(rows) -> tuple:  # type: ignore[no-untyped-def]
    return rows.c.late_by_days.desc(), rows.c.received_ms, rows.c.referral_id, rows.c.target


def _day_number(moment: datetime, offset: int) -> int:
    return int((moment.timestamp() + offset * 60) // 86400)


def _joined(by: str | None):  # type: ignore[no-untyped-def]
    """Referrals, with their partners only when grouped by partner type: the join costs
    more than the rest of the query."""
    if by == "partner_type":
        return Referral.__table__.join(Partner, Partner.id == Referral.partner_id)
    return Referral.__table__


def _group(by: str | None) -> ColumnElement:
    """Plain columns, so PostgreSQL matches the GROUP BY with the select list; locations
    are named after the query."""
    if by == "location":
        return Referral.location_id
    if by == "partner_type":
        return Partner.partner_type
    return literal("All")


def _days_of(milliseconds: float | None) -> float | None:
    return None if milliseconds is None else milliseconds / sql.MS_PER_DAY


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _stage_order(values: pd.Series) -> pd.Series:
    return values.map(STAGES.index) if values.name == "stage" else values


def _type_label(value: str) -> str:
    try:
        return PartnerType(value).label
    except ValueError:
        return value


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return as_utc(moment)
