"""Partners slipping away: referrals in the recent window improbably few given the
partner's own rate before it, not below a fixed number, so a small office that sends
two a year is judged by its own habit and a busy one is flagged early.

For each partner: b referrals in the baseline [now−W−B, now−W), k in the recent
window [now−W, now). Expected λ = b·W/B; the one-sided Poisson test gives
p = P(X ≤ k | λ), and the partner is at risk when p < α. A partner younger than the
baseline (created, and first referred, after its start) is judged on the history it
has: B shrinks to the days from its first referral or creation, whichever came first,
to the window's start; one younger than the window has no baseline and is never at risk.

One grouped query over the referrals of the two windows, read as a range of the
covering ix_referral_received (time, partner, location, service line: never the table
nor the years before the baseline), keeps only partners with fewer than expected
(k·B < b·W); the test itself runs in
Python on that small set, then three small queries fill in the flagged partners."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import DateTime, Float, and_, case, cast, func, literal, select, true
from sqlmodel import Session

from crm.analytics import sql
from crm.analytics.filters import Filters
from crm.clock import as_utc
from crm.models import Cadence, Enrolment, Partner, Referral, Touch, User
from crm.settings import Settings
from crm.vocab import CadencePurpose, EnrolmentStatus, PartnerStatus

COLUMNS = [
    "partner_id",
    "partner",
    "partner_type",
    "tier",
    "status",
    "owner_id",
    "owner",
    "baseline_days",
    "baseline_referrals",
    "expected",
    "recent_referrals",
    "at_stake",
    "p_value",
    "last_touch_at",
    "in_win_back",
]
LIVE = (EnrolmentStatus.ACTIVE.value, EnrolmentStatus.PAUSED.value)


@dataclass(frozen=True)
class Windows:
    baseline_start: datetime
    window_start: datetime
    end: datetime
    window_days: int
    baseline_days: int

    @classmethod
    def ending(cls, now: datetime, settings: Settings) -> Windows:
        window, baseline = settings.dormancy_window_days, settings.dormancy_baseline_days
        start = now - timedelta(days=window)
        return cls(start - timedelta(days=baseline), start, now, window, baseline)


def poisson_cdf(k: int, expected: float) -> float:
    """P(X ≤ k) for X ~ Poisson(expected), summed in log space so a large rate does not
    underflow e^-λ before the terms are added."""
    if expected <= 0:
        return 1.0
    log_rate = math.log(expected)
    total = sum(math.exp(i * log_rate - expected - math.lgamma(i + 1)) for i in range(k + 1))
    return min(1.0, total)


def at_risk(session: Session, filters: Filters, now: datetime, settings: Settings) -> pd.DataFrame:
    """Flagged partners, most referrals at stake (λ − k) first. The period in `filters`
    is not used: the windows end at `now`. Partner filters choose the partners;
    location and service line narrow the referrals counted."""
    windows = Windows.ending(now, settings)
    candidates = _fewer_than_expected(session, filters, windows)
    _widen_baselines_with_older_referrals(session, candidates, windows)
    flagged = []
    for row in candidates:
        expected = row.baseline_referrals * windows.window_days / row.baseline_days
        p_value = poisson_cdf(row.recent_referrals, expected)
        if p_value < settings.dormancy_significance:
            flagged.append((row, expected, p_value))
    if not flagged:
        return pd.DataFrame(columns=COLUMNS)
    ids = [row.partner_id for row, _, _ in flagged]
    touches = _last_touches(session, ids)
    owners = _owner_names(
        session, {row.owner_id for row, _, _ in flagged if row.owner_id is not None}
    )
    in_win_back = _in_win_back(session, ids)
    table = pd.DataFrame(
        [
            {
                "partner_id": row.partner_id,
                "partner": row.name,
                "partner_type": row.partner_type,
                "tier": row.tier,
                "status": row.status,
                "owner_id": row.owner_id,
                "owner": owners.get(row.owner_id, ""),
                "baseline_days": round(row.baseline_days, 1),
                "baseline_referrals": row.baseline_referrals,
                "expected": expected,
                "recent_referrals": row.recent_referrals,
                "at_stake": expected - row.recent_referrals,
                "p_value": p_value,
                "last_touch_at": touches.get(row.partner_id),
                "in_win_back": row.partner_id in in_win_back,
            }
            for row, expected, p_value in flagged
        ],
        columns=COLUMNS,
    )
    table["owner_id"] = table["owner_id"].astype("Int64")
    return table.sort_values(
        ["at_stake", "p_value", "partner"], ascending=[False, True, True], ignore_index=True
    )


@dataclass
class _Candidate:
    partner_id: int
    name: str
    partner_type: str
    tier: str
    status: str
    owner_id: int | None
    baseline_referrals: int
    recent_referrals: int
    baseline_days: float


def _fewer_than_expected(session: Session, filters: Filters, w: Windows) -> list[_Candidate]:
    when = Referral.received_at
    counted = and_(*filters.referral_clauses(Referral)) if filters.narrows_referrals else true()
    in_baseline = and_(when >= w.baseline_start, when < w.window_start, counted)
    in_window = and_(when >= w.window_start, when < w.end, counted)
    counts = (
        select(
            Referral.partner_id.label("partner_id"),
            func.sum(case((in_baseline, 1), else_=0)).label("b"),
            func.sum(case((in_window, 1), else_=0)).label("k"),
            func.min(when).label("first_seen"),
        )
        .where(when >= w.baseline_start, when < w.end)
        .group_by(Referral.partner_id)
        .subquery("counts")
    )
    # The partner's history starts at its creation or first referral, whichever came first.
    since = case(
        (counts.c.first_seen < Partner.created_at, counts.c.first_seen), else_=Partner.created_at
    )
    window_start = literal(w.window_start, DateTime(timezone=True))
    age = sql.days_between(since, window_start)
    days = case(
        (since <= literal(w.baseline_start, DateTime(timezone=True)), cast(w.baseline_days, Float)),
        else_=age,
    )
    statement = (
        select(
            Partner.id,
            Partner.name,
            Partner.partner_type,
            Partner.tier,
            Partner.status,
            Partner.owner_id,
            counts.c.b,
            counts.c.k,
            days.label("days"),
        )
        .join(counts, counts.c.partner_id == Partner.id)
        .where(
            Partner.archived_at.is_(None),
            Partner.status != PartnerStatus.DO_NOT_CONTACT.value,
            counts.c.b > 0,
            days > 0,
            counts.c.k * days < counts.c.b * w.window_days,
            *filters.partner_clauses(Partner),
        )
    )
    return [
        _Candidate(pid, name, ptype, tier, status, owner, int(b), int(k), float(d))
        for pid, name, ptype, tier, status, owner, b, k, d in session.execute(statement)
    ]


def _widen_baselines_with_older_referrals(
    session: Session, candidates: list[_Candidate], w: Windows
) -> None:
    """The grouped query sees referrals from the baseline's start only; a partner that
    looked young there but referred before it (imported history) gets the full baseline."""
    young = {c.partner_id: c for c in candidates if c.baseline_days < w.baseline_days}
    if not young:
        return
    older = session.execute(
        select(Referral.partner_id)
        .where(Referral.partner_id.in_(list(young)), Referral.received_at < w.baseline_start)
        .group_by(Referral.partner_id)
    ).scalars()
    for partner_id in older:
        young[partner_id].baseline_days = float(w.baseline_days)


def _last_touches(session: Session, ids: Sequence[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(Touch.partner_id, func.max(Touch.occurred_at))
        .where(Touch.partner_id.in_(ids))
        .group_by(Touch.partner_id)
    )
    return {pid: _aware(at) for pid, at in rows if at is not None}


def _owner_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        uid: name or email
        for uid, name, email in session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(ids))
        )
    }


def _in_win_back(session: Session, ids: Sequence[int]) -> set[int]:
    return set(
        session.execute(
            select(Enrolment.partner_id)
            .join(Cadence, Cadence.id == Enrolment.cadence_id)
            .where(
                Enrolment.partner_id.in_(ids),
                Enrolment.status.in_(LIVE),
                Cadence.purpose == CadencePurpose.WIN_BACK.value,
            )
            .group_by(Enrolment.partner_id)
        ).scalars()
    )


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, str):  # SQLite hands back an aggregate of a time as text
        moment = datetime.fromisoformat(moment)
    return as_utc(moment)
