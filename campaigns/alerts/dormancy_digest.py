"""Monday's note to each liaison about their partners going quiet.

Once per ISO week, on Monday at or after 07:00 in the practice's zone, or at the first
pass after that in the same week (a scheduler down on Monday still sends on Tuesday).
The week sent is kept in SyncState, so a liaison who gains an at-risk partner on
Wednesday hears about it next Monday, not twice this week; the idempotency key
`dormancy-digest:{user}:{week}` makes two schedulers racing the same pass harmless.

Staff mail, so transactional: no unsubscribe link, not held by the marketing window
or the frequency cap. It names partners and counts, never a patient."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns import post
from campaigns.post import Draft
from crm.analytics.dormancy import at_risk
from crm.analytics.filters import Filters, Period
from crm.clock import Clock, as_utc
from crm.db import session_scope
from crm.models import SyncState, User
from crm.settings import Settings

TEMPLATE = "dormancy_digest"
KIND = "alert"
STATE = "dormancy_digest.week"
SEND_AT = time(7, 0)
EVERY_SECONDS = 900
MAX_LISTED = 25


def week_of(now: datetime, zone: ZoneInfo) -> str:
    year, week, _ = now.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def digest_due(now: datetime, zone: ZoneInfo, last_sent_week: str | None) -> str | None:
    """The week to send for now, or None: not before Monday 07:00, never twice a week."""
    local = now.astimezone(zone)
    week = week_of(now, zone)
    if week == last_sent_week:
        return None
    if local.isoweekday() == 1 and local.time() < SEND_AT:
        return None
    return week


@dataclass(frozen=True)
class DigestReport:
    week: str | None
    emails: int = 0
    partners: int = 0


def send_dormancy_digests(session: Session, settings: Settings, now: datetime) -> DigestReport:
    state = session.get(SyncState, STATE)
    week = digest_due(now, settings.zone, state.cursor if state else None)
    if week is None:
        return DigestReport(None)
    table = at_risk(session, _all_partners(settings.zone, now), now, settings)
    owned = table[table["owner_id"].notna()]
    users = _active_users(session, {int(i) for i in owned["owner_id"]})
    groups = [
        (users[int(uid)], rows)
        for uid, rows in owned.groupby("owner_id", sort=True)
        if int(uid) in users
    ]
    drafts = [_draft(session, settings, user, rows, week, now) for user, rows in groups]
    emails = post.office().enqueue_many(session, drafts, now)
    if state is None:
        session.add(SyncState(name=STATE, cursor=week, updated_at=now))
    else:
        state.cursor, state.updated_at = week, now
    session.flush()
    return DigestReport(week, emails, sum(len(rows) for _, rows in groups))


def dormancy_digest_job(engine: Engine, settings: Settings, clock: Clock) -> DigestReport:
    with session_scope(engine) as session:
        return send_dormancy_digests(session, settings, clock())


def _all_partners(zone: ZoneInfo, now: datetime) -> Filters:
    today = now.astimezone(zone).date()
    return Filters(period=Period(today, today + timedelta(days=1)), zone=zone)


def _active_users(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {
        u.id: u
        for u in session.execute(
            select(User).where(User.id.in_(ids), User.active.is_(True))
        ).scalars()
    }


def _draft(
    session: Session, settings: Settings, user: User, rows: pd.DataFrame, week: str, now: datetime
) -> Draft:
    listed = rows.head(MAX_LISTED)
    variables: dict[str, Any] = {
        "recipient_first_name": (user.name.split() or [user.email])[0],
        "partner_count": str(len(rows)),
        "window_days": str(settings.dormancy_window_days),
        "partner_names": [str(n) for n in listed["partner"]],
        "recent_referrals": [str(int(k)) for k in listed["recent_referrals"]],
        "expected_referrals": [f"{e:.1f}" for e in listed["expected"]],
        "last_touches": [_day(t, settings.zone) for t in listed["last_touch_at"]],
        "more_count": str(len(rows) - len(listed)) if len(rows) > len(listed) else "",
        "dormancy_url": f"{settings.public_url}/dormancy",
    }
    return post.office().compose(
        session,
        settings,
        template=TEMPLATE,
        variables=variables,
        idempotency_key=f"dormancy-digest:{user.id}:{week}",
        kind=KIND,
        to_email=user.email,
        to_name=user.name,
        now=now,
        source=f"dormancy digest {week}",
    )


def _day(moment: Any, zone: ZoneInfo) -> str:
    if moment is None or pd.isna(moment):
        return "never"
    shown: date = as_utc(pd.Timestamp(moment).to_pydatetime()).astimezone(zone).date()
    return f"{shown:%b} {shown.day}, {shown.year}"
