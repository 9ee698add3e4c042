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
  at the first `sent_at`. `program_id` is that source.

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
left out). Measuring each program's comparison around each reach would scan the
referrals once per program, so it is approximated around the program's anchor month,
the month of the median reach among measured partners: "before" is the three calendar
months before the anchor month, "after" the anchor month and the two after it. Per
anchor month and type and tier one query counts the partners that had no referral
before and those of them that had one after, from each partner's distinct referral
months; the program's own reached partners are then taken out of their stratum. The
comparison rate is standardised to the reached partners' mix: each type and tier's rate
weighted by how many measured reached partners it holds. It is undefined when a stratum
of reached partners has no comparable partner.

lift = conversion_rate - comparison_rate, with a 95% Wald interval (normal
approximation) whose variance adds the reached rate's binomial variance p(1-p)/n to the
standardised comparison's sum of w^2 p(1-p)/m over strata.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Integer, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import Session

from crm.analytics import sql
from crm.analytics.filters import Filters, _add_months, _utc
from crm.models import Cadence, Enrolment, Event, EventInvitee, Message, Partner, Referral

COLUMNS = ["program_kind", "program_id", "program", "reached", "measured", "converted", "conversion_rate",
           "referrals_before", "referrals_after", "comparison_partners", "comparison_rate", "lift", "lift_low",
           "lift_high", "verdict", "measuring", "already_sources"]
MIN_MEASURED = 10
Z95 = 1.959963984540054
TOO_FEW = "too few partners to tell"
TOO_RECENT = "too recent to judge"
NO_DIFFERENCE = "no clear difference"
BETTER = "better than comparable partners"
WORSE = "worse than comparable partners"
SEASONAL_PREFIX = "seasonal "
_KINDS = {"cadence": 0, "event": 1, "seasonal": 2}

Program = tuple[str, int | str]
Stratum = tuple[str, str]


def program_conversion(session: Session, filters: Filters, now: datetime, window_days: int = 90) -> pd.DataFrame:
    reach = _reach(filters)
    cutoff = now - timedelta(days=window_days)
    reached = _reached_by_stratum(session, filters, reach, cutoff, window_days)
    if not reached:
        return pd.DataFrame(columns=COLUMNS)
    anchors = _anchor_months(session, filters, reach, cutoff)
    comparison = _comparison(session, filters, reach, anchors)
    names = _names(session, list(reached))
    rows = [_row(program, strata, anchors.get(program), comparison, names.get(program, ""))
            for program, strata in reached.items()]
    rows.sort(key=lambda r: (_KINDS[r["program_kind"]], r["program"], str(r["program_id"])))
    return pd.DataFrame(rows, columns=COLUMNS)


# Who was reached ----------------------------------------------------------------

def _reach(filters: Filters) -> Subquery:
    """One row per program and partner reached in the period: kind, id (a cadence's or
    event's id; 0 for seasonal), key (the seasonal source; '' otherwise), partner, when."""
    start, end = filters.bounds
    first = func.min(Enrolment.enrolled_at)
    cadences = (select(literal("cadence", String).label("kind"), Enrolment.cadence_id.label("pid"),
                       literal("", String).label("pkey"), Enrolment.partner_id.label("partner_id"),
                       first.label("reached_at"))
                .group_by(Enrolment.cadence_id, Enrolment.partner_id)
                .having(and_(first >= start, first < end)))
    events = (select(literal("event", String), EventInvitee.event_id, literal("", String), EventInvitee.partner_id,
                     func.min(Event.starts_at))
              .join(Event, Event.id == EventInvitee.event_id)
              .where(EventInvitee.attended.is_(True), Event.starts_at >= start, Event.starts_at < end)
              .group_by(EventInvitee.event_id, EventInvitee.partner_id))
    seasonal = (select(literal("seasonal", String), literal(0, Integer), Message.source, Message.partner_id,
                       func.min(Message.sent_at))
                .where(Message.sent_at >= start, Message.sent_at < end, Message.partner_id.is_not(None),
                       Message.source.like(SEASONAL_PREFIX + "%"))
                .group_by(Message.source, Message.partner_id))
    union = union_all(cadences, events, seasonal).subquery("reach_union")
    return (select(union.c.kind, union.c.pid, union.c.pkey, union.c.partner_id, union.c.reached_at,
                   Partner.partner_type, Partner.tier)
            .join(Partner, Partner.id == union.c.partner_id)
            .where(*filters.partner_clauses(Partner))
            .subquery("reach"))


@dataclass
class _Counts:
    reached: int = 0
    measuring: int = 0
    already_sources: int = 0
    measured: int = 0
    converted: int = 0
    referrals_before: int = 0
    referrals_after: int = 0


def _program(kind: str, pid: int, pkey: str) -> Program:
    return (kind, pkey if kind == "seasonal" else int(pid))


def _reached_by_stratum(session: Session, filters: Filters, reach: Subquery, cutoff: datetime,
                        window_days: int) -> dict[Program, dict[Stratum, _Counts]]:
    """Each reached partner's referrals in the days before and after its own reach,
    summed per program and type and tier."""
    start, end = filters.bounds
    gap = sql.days_between(reach.c.reached_at, Referral.received_at)
    per_partner = (
        select(reach.c.kind, reach.c.pid, reach.c.pkey, reach.c.partner_type, reach.c.tier,
               case((reach.c.reached_at <= cutoff, 1), else_=0).label("elapsed"),
               func.count(case((and_(gap < 0, gap >= -window_days), Referral.id))).label("before"),
               func.count(case((and_(gap >= 0, gap < window_days), Referral.id))).label("after"))
        .select_from(reach)
        .outerjoin(Referral, and_(Referral.partner_id == reach.c.partner_id,
                                  Referral.received_at >= start - timedelta(days=window_days),
                                  Referral.received_at < end + timedelta(days=window_days),
                                  *filters.referral_clauses(Referral)))
        .group_by(reach.c.kind, reach.c.pid, reach.c.pkey, reach.c.partner_id, reach.c.reached_at,
                  reach.c.partner_type, reach.c.tier)
        .subquery("per_partner"))
    p = per_partner.c
    measured = and_(p.elapsed == 1, p.before == 0)
    rows = session.execute(
        select(p.kind, p.pid, p.pkey, p.partner_type, p.tier, func.count(),
               func.sum(1 - p.elapsed),
               func.sum(case((and_(p.elapsed == 1, p.before > 0), 1), else_=0)),
               func.sum(case((measured, 1), else_=0)),
               func.sum(case((and_(measured, p.after > 0), 1), else_=0)),
               func.sum(case((p.elapsed == 1, p.before), else_=0)),
               func.sum(case((p.elapsed == 1, p.after), else_=0)))
        .group_by(p.kind, p.pid, p.pkey, p.partner_type, p.tier)
    ).all()
    found: dict[Program, dict[Stratum, _Counts]] = defaultdict(dict)
    for kind, pid, pkey, ptype, tier, *counts in rows:
        found[_program(kind, pid, pkey)][(ptype, tier)] = _Counts(*(int(c or 0) for c in counts))
    return dict(found)


def _anchor_months(session: Session, filters: Filters, reach: Subquery, cutoff: datetime) -> dict[Program, str]:
    """The month of each program's median reach among its measured partners."""
    month = sql.month(reach.c.reached_at, filters.offset_minutes)
    rows = session.execute(
        select(reach.c.kind, reach.c.pid, reach.c.pkey, month, func.count())
        .where(reach.c.reached_at <= cutoff)
        .group_by(reach.c.kind, reach.c.pid, reach.c.pkey, month)
        .order_by(reach.c.kind, reach.c.pid, reach.c.pkey, month)
    ).all()
    by_program: dict[Program, list[tuple[str, int]]] = defaultdict(list)
    for kind, pid, pkey, key, count in rows:
        by_program[_program(kind, pid, pkey)].append((key, int(count)))
    anchors: dict[Program, str] = {}
    for program, months in by_program.items():
        middle, seen = (sum(n for _, n in months) + 1) // 2, 0
        for key, count in months:
            seen += count
            if seen >= middle:
                anchors[program] = key
                break
    return anchors


# The comparison -----------------------------------------------------------------

@dataclass
class _Comparison:
    partners: dict[Stratum, int]  # per type and tier, matching the partner filters
    pool: dict[tuple[str, Stratum], tuple[int, int]]  # (anchor, stratum) -> (sources before, new sources)
    reached: dict[tuple[Program, Stratum], tuple[int, int]]  # a program's own: (non-sources, new sources)


def _comparison(session: Session, filters: Filters, reach: Subquery, anchors: dict[Program, str]) -> _Comparison:
    start, _ = filters.bounds
    live = [*filters.partner_clauses(Partner), or_(Partner.archived_at.is_(None), Partner.archived_at >= start)]
    partners = {(t, tier): int(n) for t, tier, n in session.execute(
        select(Partner.partner_type, Partner.tier, func.count()).where(*live)
        .group_by(Partner.partner_type, Partner.tier))}
    if not anchors:
        return _Comparison(partners, {}, {})
    windows = _windows(sorted(set(anchors.values())))
    around = _around_anchors(filters, windows)
    pool = {(anchor, (t, tier)): (int(before or 0), int(new or 0)) for anchor, t, tier, before, new in session.execute(
        select(around.c.anchor, Partner.partner_type, Partner.tier, func.sum(around.c.before),
               func.sum(case((around.c.before == 0, around.c.after), else_=0)))
        .join(Partner, Partner.id == around.c.partner_id).where(*live)
        .group_by(around.c.anchor, Partner.partner_type, Partner.tier))}
    program_anchor = union_all(*[
        select(literal(kind, String).label("kind"), literal(pid if kind != "seasonal" else 0, Integer).label("pid"),
               literal(pid if kind == "seasonal" else "", String).label("pkey"),
               literal(anchor, String).label("anchor"))
        for (kind, pid), anchor in anchors.items()]).subquery("program_anchor")
    before = func.coalesce(around.c.before, 0)
    reached_rows = session.execute(
        select(reach.c.kind, reach.c.pid, reach.c.pkey, Partner.partner_type, Partner.tier,
               func.sum(case((before == 0, 1), else_=0)),
               func.sum(case((and_(before == 0, around.c.after == 1), 1), else_=0)))
        .select_from(reach)
        .join(program_anchor, and_(program_anchor.c.kind == reach.c.kind, program_anchor.c.pid == reach.c.pid,
                                   program_anchor.c.pkey == reach.c.pkey))
        .join(Partner, Partner.id == reach.c.partner_id)
        .outerjoin(around, and_(around.c.anchor == program_anchor.c.anchor,
                                around.c.partner_id == reach.c.partner_id))
        .where(*live)
        .group_by(reach.c.kind, reach.c.pid, reach.c.pkey, Partner.partner_type, Partner.tier)
    ).all()
    own = {(_program(kind, pid, pkey), (t, tier)): (int(n or 0), int(new or 0))
           for kind, pid, pkey, t, tier, n, new in reached_rows}
    return _Comparison(partners, pool, own)


@dataclass(frozen=True)
class _Window:
    anchor: str
    first: str  # first month before
    last: str  # first month after the window
    starts: date
    ends: date


def _windows(anchor_keys: list[str]) -> list[_Window]:
    windows = []
    for key in anchor_keys:
        month = date(int(key[:4]), int(key[5:7]), 1)
        first, last = _add_months(month, -3), _add_months(month, 3)
        windows.append(_Window(key, f"{first:%Y-%m}", f"{last:%Y-%m}", first, last))
    return windows


def _around_anchors(filters: Filters, windows: list[_Window]) -> Subquery:
    """Per anchor month and partner with referrals around it: whether it referred in the
    three months before (0/1) and in the three from the anchor on (0/1)."""
    month = sql.month(Referral.received_at, filters.offset_minutes)
    first = _utc(min(w.starts for w in windows), filters.zone) - timedelta(days=1)
    last = _utc(max(w.ends for w in windows), filters.zone) + timedelta(days=1)
    months = (select(Referral.partner_id.label("partner_id"), month.label("m"))
              .where(Referral.received_at >= first, Referral.received_at < last, *filters.referral_clauses(Referral))
              .group_by(Referral.partner_id, month).subquery("partner_month"))
    table = union_all(*[select(literal(w.anchor, String).label("anchor"), literal(w.first, String).label("lo"),
                               literal(w.last, String).label("hi")) for w in windows]).subquery("anchor_window")
    return (select(table.c.anchor, months.c.partner_id,
                   func.max(case((months.c.m < table.c.anchor, 1), else_=0)).label("before"),
                   func.max(case((months.c.m >= table.c.anchor, 1), else_=0)).label("after"))
            .join(table, and_(months.c.m >= table.c.lo, months.c.m < table.c.hi))
            .group_by(table.c.anchor, months.c.partner_id)
            .subquery("around"))


# One program's row ---------------------------------------------------------------

def _row(program: Program, strata: dict[Stratum, _Counts], anchor: str | None, comparison: _Comparison,
         name: str) -> dict:
    total = _Counts()
    for counts in strata.values():
        for field in total.__dataclass_fields__:
            setattr(total, field, getattr(total, field) + getattr(counts, field))
    rate = total.converted / total.measured if total.measured else math.nan
    compared, comparison_rate, variance = _standardised(program, strata, anchor, comparison, total.measured)
    lift = low = high = math.nan
    if total.measured and not math.isnan(comparison_rate):
        lift = rate - comparison_rate
        se = math.sqrt(rate * (1 - rate) / total.measured + variance)
        if se > 0:
            low, high = lift - Z95 * se, lift + Z95 * se
    return {"program_kind": program[0], "program_id": program[1], "program": name, "reached": total.reached,
            "measured": total.measured, "converted": total.converted, "conversion_rate": rate,
            "referrals_before": total.referrals_before, "referrals_after": total.referrals_after,
            "comparison_partners": compared, "comparison_rate": comparison_rate, "lift": lift, "lift_low": low,
            "lift_high": high, "verdict": verdict(total.measured, total.measuring, low, high),
            "measuring": total.measuring, "already_sources": total.already_sources}


def _standardised(program: Program, strata: dict[Stratum, _Counts], anchor: str | None, comparison: _Comparison,
                  measured: int) -> tuple[int, float, float]:
    """(comparison partners, standardised rate, its variance); the rate is NaN when a
    stratum of measured reached partners has no comparable partner."""
    if not measured or anchor is None:
        return 0, math.nan, math.nan
    partners, rate, variance = 0, 0.0, 0.0
    for stratum, counts in strata.items():
        if not counts.measured:
            continue
        sources_before, new_sources = comparison.pool.get((anchor, stratum), (0, 0))
        own, own_new = comparison.reached.get((program, stratum), (0, 0))
        pool = comparison.partners.get(stratum, 0) - sources_before - own
        if pool <= 0:
            return partners, math.nan, math.nan
        p = (new_sources - own_new) / pool
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


def _names(session: Session, programs: list[Program]) -> dict[Program, str]:
    cadence_ids = [pid for kind, pid in programs if kind == "cadence"]
    event_ids = [pid for kind, pid in programs if kind == "event"]
    names: dict[Program, str] = {}
    if cadence_ids:
        names |= {("cadence", i): n for i, n in session.execute(
            select(Cadence.id, Cadence.name).where(Cadence.id.in_(cadence_ids)))}
    if event_ids:
        for i, title, starts in session.execute(
                select(Event.id, Event.title, Event.starts_at).where(Event.id.in_(event_ids))):
            names[("event", i)] = f"{title} ({starts:%b %d, %Y})"
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
