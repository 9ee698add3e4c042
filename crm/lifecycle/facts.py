"""What the rules need to know about every partner, read in a few grouped queries over
all partners at once (never one query per partner), so the pass costs the same after a
bulk import of ten thousand referrals as after one referral typed in by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, and_, cast, func, literal, or_, select, true
from sqlalchemy.sql import ColumnElement, Subquery
from sqlmodel import Session

from crm.lifecycle.rules import (
    CONVERSATION_KINDS,
    DORMANT,
    ENGAGED,
    PROSPECT,
    SOURCE,
    Event,
    PartnerFacts,
)
from crm.models import Partner, PartnerStatusChange, Referral, Touch

MOVABLE = (PROSPECT, ENGAGED, SOURCE, DORMANT)

_partner = Partner.__table__.c
_change = PartnerStatusChange.__table__.c
_referral = Referral.__table__.c
_touch = Touch.__table__.c


def read_facts(
    session: Session, now: datetime, quiet_for_days: int = 0, partner_ids: list[int] | None = None
) -> list[PartnerFacts]:
    """Every live (not archived) partner whose status the pass may move (never
    do_not_contact), or only those in `partner_ids`. Touches and referrals dated after
    `now` are not counted yet. The usual interval is read only for partners quiet for
    `quiet_for_days` or more."""
    since = _since(partner_ids)
    partners = session.execute(
        select(_partner.id, _partner.status, _partner.created_at, since.c.at)
        .outerjoin(since, since.c.partner_id == _partner.id)
        .where(
            _partner.status.in_(MOVABLE),
            _partner.archived_at.is_(None),
            _within(_partner.id, partner_ids),
        )
    ).all()
    conversations = _first_conversations(session, since, now, partner_ids)
    firsts = _first_referrals(session, since, now, partner_ids)
    late = _late_referrals(session, since)
    lasts = _last_referrals(session, now, partner_ids)
    intervals = usual_intervals(session, now, quiet_for_days, partner_ids)
    return [
        PartnerFacts(
            partner_id=pid,
            status=status,
            since=at,
            created_at=created_at,
            first_conversation=conversations.get(pid),
            first_referral=firsts.get(pid),
            late_referral=late.get(pid),
            last_referral=lasts.get(pid),
            usual_interval_days=intervals.get(pid),
        )
        for pid, status, created_at, at in partners
    ]


def _within(column: ColumnElement[int], partner_ids: list[int] | None) -> ColumnElement[bool]:
    """No limit for the hourly pass; just the given partners when a referral was entered."""
    return true() if partner_ids is None else column.in_(partner_ids)


def _since(partner_ids: list[int] | None) -> Subquery:
    """When each partner's status was last set."""
    return (
        select(_change.partner_id, func.max(_change.at).label("at"))
        .where(_within(_change.partner_id, partner_ids))
        .group_by(_change.partner_id)
        .subquery("since")
    )


def _after_since(since: Subquery, *times: ColumnElement[Any]) -> ColumnElement[bool]:
    return or_(since.c.at.is_(None), *(t > since.c.at for t in times))


def _first_events(
    session: Session, first: Subquery, table: Any, at: ColumnElement[Any]
) -> dict[int, Event]:
    """The row per partner named by `first` (partner_id, at), its lowest id on a tie."""
    rows = session.execute(
        select(table.c.partner_id, first.c.at, func.min(table.c.id))
        .join(first, and_(first.c.partner_id == table.c.partner_id, first.c.at == at))
        .group_by(table.c.partner_id, first.c.at)
    ).all()
    return {pid: Event(at=when, id=row_id) for pid, when, row_id in rows}


def _first_conversations(
    session: Session, since: Subquery, now: datetime, partner_ids: list[int] | None
) -> dict[int, Event]:
    first = (
        select(_touch.partner_id, func.min(_touch.occurred_at).label("at"))
        .outerjoin(since, since.c.partner_id == _touch.partner_id)
        .where(
            _within(_touch.partner_id, partner_ids),
            _touch.kind.in_(CONVERSATION_KINDS),
            _touch.occurred_at <= now,
            _after_since(since, _touch.occurred_at),
        )
        .group_by(_touch.partner_id)
        .subquery("first_conversation")
    )
    return _first_events(session, first, Touch.__table__, _touch.occurred_at)


def _first_referrals(
    session: Session, since: Subquery, now: datetime, partner_ids: list[int] | None
) -> dict[int, Event]:
    """The first referral received after the status was last set."""
    first = (
        select(_referral.partner_id, func.min(_referral.received_at).label("at"))
        .outerjoin(since, since.c.partner_id == _referral.partner_id)
        .where(
            _within(_referral.partner_id, partner_ids),
            _referral.received_at <= now,
            _after_since(since, _referral.received_at),
        )
        .group_by(_referral.partner_id)
        .subquery("first_referral")
    )
    return _first_events(session, first, Referral.__table__, _referral.received_at)


def _late_referrals(session: Session, since: Subquery) -> dict[int, Event]:
    """The latest referral received before the status was last set but entered after it."""
    late = (
        select(_referral.partner_id, func.max(_referral.received_at).label("at"))
        .join(since, since.c.partner_id == _referral.partner_id)
        .where(_referral.received_at <= since.c.at, _referral.created_at > since.c.at)
        .group_by(_referral.partner_id)
        .subquery("late_referral")
    )
    return _first_events(session, late, Referral.__table__, _referral.received_at)


def _last_referrals(
    session: Session, now: datetime, partner_ids: list[int] | None
) -> dict[int, Event]:
    last = (
        select(_referral.partner_id, func.max(_referral.received_at).label("at"))
        .where(_within(_referral.partner_id, partner_ids), _referral.received_at <= now)
        .group_by(_referral.partner_id)
        .subquery("last_referral")
    )
    rows = session.execute(
        select(_referral.partner_id, last.c.at, func.max(_referral.id))
        .join(
            last,
            and_(last.c.partner_id == _referral.partner_id, last.c.at == _referral.received_at),
        )
        .group_by(_referral.partner_id, last.c.at)
    ).all()
    return {pid: Event(at=when, id=row_id) for pid, when, row_id in rows}


def usual_intervals(
    session: Session, now: datetime, quiet_for_days: int = 0, partner_ids: list[int] | None = None
) -> dict[int, float]:
    """Each partner's median gap in days between consecutive referrals, computed in SQL
    with window functions (the same statement on SQLite and PostgreSQL). The median, not
    the mean, so one long summer break does not stretch a weekly source's rhythm. Only
    partners without a referral for `quiet_for_days` are read: a dormant threshold is
    never shorter than that, so the others' rhythm cannot matter yet."""
    days = _days(session, _referral.received_at)
    quiet = (
        select(_referral.partner_id)
        .where(_within(_referral.partner_id, partner_ids), _referral.received_at <= now)
        .group_by(_referral.partner_id)
        .having(func.max(_referral.received_at) < now - timedelta(days=quiet_for_days))
    )
    gaps = (
        select(
            _referral.partner_id.label("partner_id"),
            (
                days
                - func.lag(days).over(
                    partition_by=_referral.partner_id,
                    order_by=(_referral.received_at, _referral.id),
                )
            ).label("gap"),
        )
        .where(_referral.received_at <= now, _referral.partner_id.in_(quiet))
        .subquery("gaps")
    )
    ranked = (
        select(
            gaps.c.partner_id,
            gaps.c.gap,
            func.row_number().over(partition_by=gaps.c.partner_id, order_by=gaps.c.gap).label("n"),
            func.count().over(partition_by=gaps.c.partner_id).label("total"),
        )
        .where(gaps.c.gap.is_not(None))
        .subquery("ranked")
    )
    middle = or_(ranked.c.n == (ranked.c.total + 1) / 2, ranked.c.n == (ranked.c.total + 2) / 2)
    rows = session.execute(
        select(ranked.c.partner_id, func.avg(ranked.c.gap))
        .where(middle)
        .group_by(ranked.c.partner_id)
    ).all()
    return {pid: float(median) for pid, median in rows}


def _days(session: Session, column: ColumnElement[Any]) -> ColumnElement[float]:
    """A time as a number of days, so gaps can be subtracted on either database."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(column), Float)
    return cast(func.extract("epoch", column), Float) / literal(86400.0)
