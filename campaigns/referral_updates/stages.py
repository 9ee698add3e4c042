"""What happened to recent referrals, recorded once per referral and stage.

Set-based on purpose: crm/transfer imports referrals in bulk, bypassing any per-call
hook, so each pass compares the referrals themselves with the updates already recorded.
The unique (referral, stage) constraint makes two passes at once harmless."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import exists, literal, select, true, union_all
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
    `referral_ids` narrows the pass to those referrals (one just sent by a partner).
    One statement for the three stages: the partner link runs this on every form sent."""
    stages = (
        ("received", Referral.received_at, Referral.received_at.is_not(None)),
        ("scheduled", Referral.scheduled_at, Referral.scheduled_at.is_not(None)),
        ("completed", Referral.first_visit_at, Referral.first_visit_at <= now),
    )
    only = true() if referral_ids is None else Referral.id.in_(sorted(referral_ids))
    created = literal(now, type_=ReferralUpdate.__table__.c.created_at.type)
    rows = union_all(
        *(
            select(
                Referral.id,
                Referral.partner_id,
                literal(stage),
                happened,
                literal("pending"),
                created,
            ).where(
                Referral.received_at >= cutoff(now),
                reached,
                only,
                ~exists().where(
                    ReferralUpdate.referral_id == Referral.id, ReferralUpdate.stage == stage
                ),
            )
            for stage, happened, reached in stages
        )
    )
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
