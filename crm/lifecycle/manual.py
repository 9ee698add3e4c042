"""A person changing a partner's status by hand. The change is kept like any other move
(cause "manual", with who made it), and setting do not contact stops all outreach at
once: every live enrolment of the partner ends."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from crm.access import Actor
from crm.lifecycle.effects import exit_all
from crm.models import PartnerStatusChange
from crm.vocab import ExitReason, PartnerStatus


def record_manual_change(
    session: Session, actor: Actor, partner_id: int, from_status: str, to_status: str, now: datetime
) -> None:
    if from_status == to_status:
        return
    session.add(
        PartnerStatusChange(
            partner_id=partner_id,
            at=now,
            from_status=from_status,
            to_status=to_status,
            cause="manual",
            user_id=actor.id,
            detail=f"set by {actor.name}"[:300],
        )
    )
    if to_status == PartnerStatus.DO_NOT_CONTACT.value:
        exit_all(session, actor, [partner_id], ExitReason.DO_NOT_CONTACT.value, now)
