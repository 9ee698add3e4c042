"""What happened to recent referrals, recorded once per referral and stage.

Set-based on purpose: crm/transfer imports referrals in bulk, bypassing any per-call
hook, so each pass compares the referrals themselves with the updates already recorded.
The unique (referral, stage) constraint makes two passes at once harmless."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, literal, select
from sqlmodel import Session

from crm.db import insert_for
from crm.models import Referral, ReferralUpdate

# Referrals received longer ago than this are history, not news (see the package doc).
CUTOFF_DAYS = 30


def cutoff(now: datetime) -> datetime:
    return now - timedelta(days=CUTOFF_DAYS)


def record_new_stages(
    session: Session, now: datetime, referral_ids: Collection[int] | None = None
) -> int:
    """Insert a pending update for every stage reached by a recent referral and not yet
    recorded; returns how many were new. A first visit counts once its time has come.
    `referral_ids` narrows the pass to those referrals (one just sent by a partner)."""
    stages = (
        ("received", Referral.received_at, Referral.received_at.is_not(None)),
        ("scheduled", Referral.scheduled_at, Referral.scheduled_at.is_not(None)),
        ("completed", Referral.first_visit_at, Referral.first_visit_at <= now),
    )
    if referral_ids is not None:
        only = Referral.id.in_(sorted(referral_ids))
        stages = tuple((stage, column, and_(reached, only)) for stage, column, reached in stages)
    return sum(_record(session, stage, column, reached, now) for stage, column, reached in stages)


def _record(session: Session, stage: str, happened: object, reached: object, now: datetime) -> int:
    recorded = exists().where(
        ReferralUpdate.referral_id == Referral.id, ReferralUpdate.stage == stage
    )
    created = literal(now, type_=ReferralUpdate.__table__.c.created_at.type)
    rows = select(
        Referral.id, Referral.partner_id, literal(stage), happened, literal("pending"), created
    ).where(and_(Referral.received_at >= cutoff(now), reached, ~recorded))
    statement = (
        insert_for(session, ReferralUpdate)
        .from_select(
            ["referral_id", "partner_id", "stage", "happened_at", "status", "created_at"],
            rows,
        )
        .on_conflict_do_nothing(index_elements=["referral_id", "stage"])
        .returning(ReferralUpdate.id)
    )
    return len(session.execute(statement).all())
