"""Did outreach make partners start referring? For every cadence, event and seasonal
program that reached partners in the period, the share of reached partners that became
referral sources, against comparable partners the program did not reach.

Who a program reached, and when:
- cadence: the partner's first enrolment in the cadence (`Enrolment.enrolled_at`), if
  that first enrolment falls in the period; a re-enrolment is not a new reach.
- event: a contact of the partner attended (`EventInvitee.attended`); reached at the
  event's `starts_at`.
- seasonal: a seasonal email to one of the partner's contacts was sent (`sent_at` set,
  `source` "seasonal {year} {season} {phase}-season"); one program per source, that is
  per year, season and phase, since one email covers every sport of a phase; reached
  at the first `sent_at`. `program_id` is that source. Seasonal emails are found by
  their kind and creation time (indexed): one created more than 30 days before it
  was sent is missed.

Became a referral source: no referral in the `window_days` before the reach and at least
one in the `window_days` after (any status: a referral still open counts). Only partners
whose `window_days` after the reach have passed at `now` are measured; `measuring`
says how many are still inside their window. A reached partner that already referred in
the days before is an existing source, not a candidate (`already_sources`), so
`measured` is the reached partners that could have become sources and whose window has
passed, and `conversion_rate` = converted / measured. `referrals_before`/`_after` total
the referrals of every reached partner whose window has passed, sources included.

The comparison: partners of the same type and tier the program did not reach in the
period (partner filters apply to them too; partners archived before the period are
left out, reached or not). Measuring each program's comparison around each reach would
scan the referrals once per program, so it is approximated around the program's anchor
month, the month of the median reach among measured partners: "before" is the three
calendar months before the anchor month, "after" the anchor month and the two after
it. Per anchor month and type and tier one query counts the partners that had no
referral before and those of them that had one after, from each partner's distinct
referral months (see `_comparison`); the program's own reached partners are then taken
out of their stratum, judged (approximately) by their own windows rather than the
anchor's. The comparison rate is standardised to the reached partners' mix: each type
and tier's rate weighted by how many measured reached partners it holds. It is
undefined when a stratum of reached partners has no comparable partner.

lift = conversion_rate - comparison_rate, with a 95% Wald interval (normal
approximation) whose variance adds the reached rate's binomial variance p(1-p)/n to the
standardised comparison's sum of w^2 p(1-p)/m over strata.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import CTE
from sqlmodel import Session

from crm.analytics import outreach_sql, sql
from crm.analytics.filters import Filters
from crm.clock import as_utc
from crm.models import Cadence, Enrolment, Event, EventInvitee, Message, Partner, Referral

COLUMNS = [
    "program_kind",
    "program_id",
    "program",
    "reached",
    "measured",
    "converted",
    "conversion_rate",
    "referrals_before",
    "referrals_after",
    "comparison_partners",
    "comparison_rate",
    "lift",
    "lift_low",
    "lift_high",
    "verdict",
    "measuring",
    "already_sources",
]
MIN_MEASURED = 10
Z95 = 1.959963984540054
TOO_FEW = "too few partners to tell"
TOO_RECENT = "too recent to judge"
NO_DIFFERENCE = "no clear difference"
BETTER = "better than comparable partners"
WORSE = "worse than comparable partners"
SEASONAL_PREFIX = "seasonal "
SEASONAL_LEAD_DAYS = 30  # an email created this long before it went out still counts
_KINDS = {"cadence": 0, "event": 1, "seasonal": 2}

Program = tuple[str, int | str]
Stratum = tuple[str, str]


def program_conversion(
    session: Session, filters: Filters, now: datetime, window_days: int = 90
) -> pd.DataFrame:
    reach = _reach(filters, window_days)
    cutoff = now - timedelta(days=window_days)
    reached, months = _reached(session, filters, reach, cutoff, window_days)
    if not reached:
        return pd.DataFrame(columns=COLUMNS)
    anchors = _median_months(months)
    comparison = _comparison(session, filters, anchors)
    names = _names(session, list(reached), filters.zone)
    rows = [
        _row(program, strata, anchors.get(program), comparison, names.get(program, ""))
        for program, strata in reached.items()
    ]
    rows.sort(key=lambda r: (_KINDS[r["program_kind"]], r["program"], str(r["program_id"])))
    return pd.DataFrame(rows, columns=COLUMNS)


# Who was reached ----------------------------------------------------------------


def _live(filters: Filters) -> list[ColumnElement[bool]]:
    """The partners that count, reached or not: the partner filters, and not archived
    before the period began."""
    start, _ = filters.bounds
    return [
        *filters.partner_clauses(Partner),
        or_(Partner.archived_at.is_(None), Partner.archived_at >= start),
    ]


def _reach(filters: Filters, window_days: int) -> CTE:
    """One row per program and partner reached in the period: kind, id (a cadence's or
    event's id; 0 for seasonal), key (the seasonal source; '' otherwise), partner, when,
    with the partner's type and tier, and the times `window_days` before and after the
    reach (`low`, `high`, exact: see `outreach_sql.shift_days`), so its referrals are
    read as a range of the (partner, received) index."""
    start, end = filters.bounds
    first = func.min(Enrolment.enrolled_at)
    cadences = (
        select(
            literal("cadence", String).label("kind"),
            Enrolment.cadence_id.label("pid"),
            literal("", String).label("pkey"),
            Enrolment.partner_id.label("partner_id"),
            first.label("reached_at"),
        )
        .group_by(Enrolment.cadence_id, Enrolment.partner_id)
        .having(and_(first >= start, first < end))
    )
    events = (
        select(
            literal("event", String),
            EventInvitee.event_id,
            literal("", String),
            EventInvitee.partner_id,
            func.min(Event.starts_at),
        )
        .join(Event, Event.id == EventInvitee.event_id)
        .where(EventInvitee.attended.is_(True), Event.starts_at >= start, Event.starts_at < end)
        .group_by(EventInvitee.event_id, EventInvitee.partner_id)
    )
    # (kind, created_at) is indexed; a seasonal email is created on its send day.
    seasonal = (
        select(
            literal("seasonal", String),
            literal(0, Integer),
            Message.source,
            Message.partner_id,
            func.min(Message.sent_at),
        )
        .where(
            Message.kind == "seasonal",
            Message.created_at >= start - timedelta(days=SEASONAL_LEAD_DAYS),
            Message.created_at < end,
            Message.sent_at >= start,
            Message.sent_at < end,
            Message.partner_id.is_not(None),
            Message.source.like(SEASONAL_PREFIX + "%"),
        )
        .group_by(Message.source, Message.partner_id)
    )
    union = union_all(cadences, events, seasonal).subquery("reach_union")
    return (
        select(
            union.c.kind,
            union.c.pid,
            union.c.pkey,
            union.c.partner_id,
            union.c.reached_at,
            Partner.partner_type,
            Partner.tier,
            outreach_sql.shift_days(union.c.reached_at, -window_days).label("low"),
            outreach_sql.shift_days(union.c.reached_at, window_days).label("high"),
            sql.month(union.c.reached_at, filters.offset_minutes).label("month"),
        )
        .join(Partner, Partner.id == union.c.partner_id)
        .where(*_live(filters))
        .cte("reach")
    )


@dataclass
class _Counts:
    reached: int = 0
    measuring: int = 0
    already_sources: int = 0
    measured: int = 0
    converted: int = 0
    referrals_before: int = 0
    referrals_after: int = 0
    referring_before: int = 0  # measured or not: to take them out of the comparison
    began: int = 0

    def add(self, other: _Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _program(kind: str, pid: int, pkey: str) -> Program:
    return (kind, pkey if kind == "seasonal" else int(pid))


_AFTER = 1_000_000


def _reached(
    session: Session, filters: Filters, reach: CTE, cutoff: datetime, window_days: int
) -> tuple[dict[Program, dict[Stratum, _Counts]], dict[Program, dict[str, int]]]:
    """Each reached partner's referrals in the days before and after its own reach,
    summed per program and type and tier; and per program how many measured partners
    were reached in each month (for its median)."""
    r = reach.c
    elapsed = case((r.reached_at <= cutoff, 1), else_=0)

    # Each reached partner's referrals in [low, high), read once as a range of the
    # (partner, received) index: those before the reach count 1, those from it on
    # _AFTER, so one sum holds both counts (a partner has fewer than _AFTER referrals
    # in a window).
    both = (
        select(
            cast(
                func.coalesce(
                    func.sum(case((Referral.received_at < r.reached_at, 1), else_=_AFTER)), 0
                ),
                BigInteger,
            )
        )
        .where(
            Referral.partner_id == r.partner_id,
            Referral.received_at >= r.low,
            Referral.received_at < r.high,
            *filters.referral_clauses(Referral),
        )
        .scalar_subquery()
    )
    counted = (
        select(
            r.kind,
            r.pid,
            r.pkey,
            r.partner_type,
            r.tier,
            elapsed.label("elapsed"),
            case((r.reached_at <= cutoff, r.month), else_="").label("month"),
            both.label("both"),
        )
        .select_from(reach)
        # materialized, so each partner's range is read once rather than once per use below
        .cte("counted")
        .prefix_with("MATERIALIZED")
    )
    c = counted.c
    per_partner = select(
        c.kind,
        c.pid,
        c.pkey,
        c.partner_type,
        c.tier,
        c.elapsed,
        c.month,
        (c.both % _AFTER).label("before"),
        (c.both // _AFTER).label("after"),
    ).subquery("per_partner")
    p = per_partner.c
    measured = and_(p.elapsed == 1, p.before == 0)
    rows = session.execute(
        select(
            p.kind,
            p.pid,
            p.pkey,
            p.partner_type,
            p.tier,
            p.month,
            func.count(),
            func.sum(1 - p.elapsed),
            func.sum(case((and_(p.elapsed == 1, p.before > 0), 1), else_=0)),
            func.sum(case((measured, 1), else_=0)),
            func.sum(case((and_(measured, p.after > 0), 1), else_=0)),
            func.sum(case((p.elapsed == 1, p.before), else_=0)),
            func.sum(case((p.elapsed == 1, p.after), else_=0)),
            func.sum(case((p.before > 0, 1), else_=0)),
            func.sum(case((and_(p.before == 0, p.after > 0), 1), else_=0)),
        ).group_by(p.kind, p.pid, p.pkey, p.partner_type, p.tier, p.month)
    ).all()
    found: dict[Program, dict[Stratum, _Counts]] = defaultdict(dict)
    months: dict[Program, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, pid, pkey, ptype, tier, month, *counts in rows:
        program = _program(kind, pid, pkey)
        found[program].setdefault((ptype, tier), _Counts()).add(
            _Counts(*(int(c or 0) for c in counts))
        )
        if month:
            months[program][month] += int(counts[0])
    return dict(found), months


def _median_months(months: dict[Program, dict[str, int]]) -> dict[Program, str]:
    """The month of each program's median reach among its measured partners."""
    anchors: dict[Program, str] = {}
    for program, counts in months.items():
        middle, seen = (sum(counts.values()) + 1) // 2, 0
        for key in sorted(counts):
            seen += counts[key]
            if seen >= middle:
                anchors[program] = key
                break
    return anchors


# The comparison -----------------------------------------------------------------


@dataclass
class _Comparison:
    partners: dict[Stratum, int]  # per type and tier, matching the partner filters
    pool: dict[
        tuple[str, Stratum], tuple[int, int]
    ]  # (anchor, stratum) -> (sources before, new sources)


def _index_of(key: str) -> int:
    return int(key[:4]) * 12 + int(key[5:7])


def _comparison(session: Session, filters: Filters, anchors: dict[Program, str]) -> _Comparison:
    """Per anchor month and type and tier, the partners that referred in the three
    months before (sources before) and those that did not but referred in the anchor
    month or the two after (new sources).

    One pass over the referrals of the months around the anchors gives each partner the
    set of months it referred in, as a sum of distinct powers of two (bit i: the i-th
    month), the month found by comparing the stored time with the months' first instants
    (no per-row date function). Per anchor, the three months before are three bits of
    that number and the anchor month and the two after the next three, read with
    integer division and remainder, which both databases do alike. A number holds
    `_MONTH_BITS` months; anchors further apart are compared in as many queries."""
    partners = {
        (t, tier): int(n)
        for t, tier, n in session.execute(
            select(Partner.partner_type, Partner.tier, func.count())
            .where(*_live(filters))
            .group_by(Partner.partner_type, Partner.tier)
        )
    }
    if not anchors:
        return _Comparison(partners, {})
    by_index = {_index_of(key): key for key in anchors.values()}
    pool: dict[tuple[str, Stratum], tuple[int, int]] = {}
    group: list[int] = []
    for index in sorted(by_index):
        if group and index + 3 - (group[0] - 3) >= _MONTH_BITS:
            pool |= _comparison_pool(session, filters, group, by_index)
            group = []
        group.append(index)
    pool |= _comparison_pool(session, filters, group, by_index)
    return _Comparison(partners, pool)


_MONTH_BITS = (
    60  # a set holds fewer months than this: its number stays within a signed 64-bit integer
)


def _month_start(index: int, offset_minutes: int) -> datetime:
    """The first instant of month `index` (year * 12 + month) in the zone's offset, in UTC."""
    return datetime((index - 1) // 12, (index - 1) % 12 + 1, 1, tzinfo=UTC) - timedelta(
        minutes=offset_minutes
    )


def _month_bit(received: ColumnElement, ends: list[datetime], first: int) -> ColumnElement[int]:
    """2 ** i for a time in month i (counted from `first`), given the months' ends in
    order: a nested CASE halving the months, so a time is compared about log2(months)
    times rather than once per month before its own."""
    if len(ends) == 1:
        return literal(2**first, BigInteger)
    middle = len(ends) // 2
    return case(
        (received < ends[middle - 1], _month_bit(received, ends[:middle], first)),
        else_=_month_bit(received, ends[middle:], first + middle),
    )


def _comparison_pool(
    session: Session, filters: Filters, indexes: list[int], by_index: dict[int, str]
) -> dict[tuple[str, Stratum], tuple[int, int]]:
    first = indexes[0] - 3
    starts = [
        _month_start(first + i, filters.offset_minutes) for i in range(indexes[-1] + 3 - first + 1)
    ]
    received = Referral.received_at
    bit = _month_bit(received, starts[1:], 0)
    sets = (
        select(Referral.partner_id.label("partner_id"), outreach_sql.bits(bit).label("months"))
        .where(received >= starts[0], received < starts[-1], *filters.referral_clauses(Referral))
        .group_by(Referral.partner_id)
        .subquery("partner_months")
    )
    months = sets.c.months
    columns: list[ColumnElement] = []
    for (
        index
    ) in indexes:  # one pair of columns per anchor: one row per stratum, no join to the anchors
        referred_before = (months // (2 ** (index - 3 - first))) % 8 > 0
        referred_after = (months // (2 ** (index - first))) % 8 > 0
        columns += [
            func.sum(case((referred_before, 1), else_=0)),
            func.sum(case((and_(~referred_before, referred_after), 1), else_=0)),
        ]
    rows = session.execute(
        select(Partner.partner_type, Partner.tier, *columns)
        .select_from(sets)
        .join(Partner, Partner.id == sets.c.partner_id)
        .where(*_live(filters))
        .group_by(Partner.partner_type, Partner.tier)
    )
    pool: dict[tuple[str, Stratum], tuple[int, int]] = {}
    for t, tier, *counts in rows:
        for n, index in enumerate(indexes):
            pool[(by_index[index], (t, tier))] = (
                int(counts[2 * n] or 0),
                int(counts[2 * n + 1] or 0),
            )
    return pool


# One program's row ---------------------------------------------------------------


def _row(
    program: Program,
    strata: dict[Stratum, _Counts],
    anchor: str | None,
    comparison: _Comparison,
    name: str,
) -> dict:
    total = _Counts()
    for counts in strata.values():
        total.add(counts)
    rate = total.converted / total.measured if total.measured else math.nan
    compared, comparison_rate, variance = _standardised(
        program, strata, anchor, comparison, total.measured
    )
    lift = low = high = math.nan
    if total.measured and not math.isnan(comparison_rate):
        lift = rate - comparison_rate
        se = math.sqrt(rate * (1 - rate) / total.measured + variance)
        if se > 0:
            low, high = lift - Z95 * se, lift + Z95 * se
    return {
        "program_kind": program[0],
        "program_id": program[1],
        "program": name,
        "reached": total.reached,
        "measured": total.measured,
        "converted": total.converted,
        "conversion_rate": rate,
        "referrals_before": total.referrals_before,
        "referrals_after": total.referrals_after,
        "comparison_partners": compared,
        "comparison_rate": comparison_rate,
        "lift": lift,
        "lift_low": low,
        "lift_high": high,
        "verdict": verdict(total.measured, total.measuring, low, high),
        "measuring": total.measuring,
        "already_sources": total.already_sources,
    }


def _standardised(
    program: Program,
    strata: dict[Stratum, _Counts],
    anchor: str | None,
    comparison: _Comparison,
    measured: int,
) -> tuple[int, float, float]:
    """(comparison partners, standardised rate, its variance); the rate is NaN when a
    stratum of measured reached partners has no comparable partner."""
    if not measured or anchor is None:
        return 0, math.nan, math.nan
    partners, rate, variance = 0, 0.0, 0.0
    for stratum, counts in strata.items():
        if not counts.measured:
            continue
        sources_before, new_sources = comparison.pool.get((anchor, stratum), (0, 0))
        pool = (
            comparison.partners.get(stratum, 0)
            - sources_before
            - (counts.reached - counts.referring_before)
        )
        if pool <= 0:
            return partners, math.nan, math.nan
        p = min(max(new_sources - counts.began, 0), pool) / pool
        weight = counts.measured / measured
        partners += pool
        rate += weight * p
        variance += weight * weight * p * (1 - p) / pool
    return partners, rate, variance


def verdict(measured: int, measuring: int, low: float, high: float) -> str:
    if measured < MIN_MEASURED and measuring:
        return TOO_RECENT
    if measured < MIN_MEASURED or math.isnan(low) or math.isnan(high):
        return TOO_FEW
    if low <= 0 <= high:
        return NO_DIFFERENCE
    return BETTER if low > 0 else WORSE


def _names(session: Session, programs: list[Program], zone: ZoneInfo) -> dict[Program, str]:
    cadence_ids = [pid for kind, pid in programs if kind == "cadence"]
    event_ids = [pid for kind, pid in programs if kind == "event"]
    names: dict[Program, str] = {}
    if cadence_ids:
        names |= {
            ("cadence", i): n
            for i, n in session.execute(
                select(Cadence.id, Cadence.name).where(Cadence.id.in_(cadence_ids))
            )
        }
    if event_ids:
        for i, title, starts in session.execute(
            select(Event.id, Event.title, Event.starts_at).where(Event.id.in_(event_ids))
        ):
            names[("event", i)] = f"{title} ({as_utc(starts).astimezone(zone):%b %d, %Y})"
    for kind, pid in programs:
        if kind == "seasonal":
            names[(kind, pid)] = seasonal_name(str(pid))
    return names


def seasonal_name(source: str) -> str:
    """'seasonal 2027 fall pre-season' -> 'Fall 2027 pre-season'."""
    parts = source.split(" ")
    if len(parts) == 4:
        _, year, season, phase = parts
        return f"{season.capitalize()} {year} {phase}"
    return source
