"""Pending updates and what the emails need about them, read in one query, and their
outcome written back set-based."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, exists, select, true, update
from sqlmodel import Session

from crm.models import Partner, Referral, ReferralUpdate


@dataclass(frozen=True)
class Pending:
    id: int
    referral_id: int
    partner_id: int
    stage: str
    happened_at: datetime
    created_at: datetime
    partner_reference: str | None
    received_at: datetime
    contact_id: int | None
    partner_name: str


def pending_for(
    session: Session,
    preferences: tuple[str, ...],
    created_before: datetime | None = None,
    referral_ids: Collection[int] | None = None,
) -> list[Pending]:
    query: Select = (
        select(
            ReferralUpdate.id,
            ReferralUpdate.referral_id,
            ReferralUpdate.partner_id,
            ReferralUpdate.stage,
            ReferralUpdate.happened_at,
            ReferralUpdate.created_at,
            Referral.partner_reference,
            Referral.received_at,
            Referral.contact_id,
            Partner.name,
        )
        .join(Referral, Referral.id == ReferralUpdate.referral_id)
        .join(Partner, Partner.id == ReferralUpdate.partner_id)
        .where(ReferralUpdate.status == "pending", Partner.update_preference.in_(preferences))
        .order_by(ReferralUpdate.partner_id, ReferralUpdate.happened_at, ReferralUpdate.id)
    )
    if created_before is not None:
        query = query.where(ReferralUpdate.created_at < created_before)
    if referral_ids is not None:
        query = query.where(ReferralUpdate.referral_id.in_(sorted(referral_ids)))
    return [Pending(*row) for row in session.execute(query)]


def mark_sent(session: Session, message_of: dict[int, int]) -> None:
    """`message_of` maps an update's id to the message that carries it."""
    if message_of:
        table = ReferralUpdate.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("update_id"))
            .values(status="sent", message_id=bindparam("carrier")),
            [{"update_id": u, "carrier": m} for u, m in message_of.items()],
        )


def mark_skipped(session: Session, update_ids: list[int]) -> None:
    for start in range(0, len(update_ids), 1000):
        session.execute(
            update(ReferralUpdate)
            .where(ReferralUpdate.id.in_(update_ids[start : start + 1000]))
            .values(status="skipped")
            .execution_options(synchronize_session=False)
        )


def skip_unreachable_partners(
    session: Session, referral_ids: Collection[int] | None = None
) -> dict[str, int]:
    """Pending updates of partners who want none, or who do not refer by email (so
    they did not ask to hear by email), are skipped; returns counts by reason. A
    referral sent through the partner link is the exception to the channel rule: the
    sender gave their email on the form to hear back. `referral_ids` narrows the pass."""
    by_web_form = exists().where(
        Referral.id == ReferralUpdate.referral_id, Referral.channel == "web_form"
    )
    reasons = {
        "preference_none": (Partner.update_preference == "none", true()),
        "not_email_channel": (Partner.referral_channel != "email", ~by_web_form),
        "partner_archived": (Partner.archived_at.is_not(None), true()),
    }
    counts: dict[str, int] = {}
    for reason, (condition, also) in reasons.items():
        partners = select(Partner.id).where(condition)
        which = and_(
            ReferralUpdate.status == "pending", ReferralUpdate.partner_id.in_(partners), also
        )
        if referral_ids is not None:
            which = and_(which, ReferralUpdate.referral_id.in_(sorted(referral_ids)))
        result = session.execute(
            update(ReferralUpdate)
            .where(which)
            .values(status="skipped")
            .execution_options(synchronize_session=False)
        )
        counts[reason] = result.rowcount or 0
    return counts
