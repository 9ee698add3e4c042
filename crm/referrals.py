"""Referrals and their funnel: received, contacted, scheduled, first visit (or lost)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, model_validator
from sqlalchemy import update
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.clock import as_utc
from crm.errors import InvalidInput, NotFound
from crm.fields import OptionalText, text, vocab
from crm.lifecycle import advance_lifecycle
from crm.lifecycle.rules import DORMANT_MIN_DAYS
from crm.models import Contact, Partner, Referral
from crm.partners import get_partner
from crm.vocab import PartnerStatus, ReferralChannel, ReferralStatus, ServiceLine


class ReferralInput(BaseModel):
    """The funnel's stage follows from its dates; only `lost` is set by hand, with a reason."""

    received_at: datetime
    partner_reference: OptionalText = None
    contact_id: int | None = None
    patient_id: int | None = None
    channel: vocab(ReferralChannel, optional=True) = ""
    service_line: vocab(ServiceLine) = ServiceLine.GENERAL.value
    location_id: int | None = None
    contacted_at: datetime | None = None
    scheduled_at: datetime | None = None
    first_visit_at: datetime | None = None
    lost: bool = False
    lost_reason: text(200) = ""

    @model_validator(mode="after")
    def _funnel_in_order(self) -> ReferralInput:
        stages = [
            ("received", self.received_at),
            ("contacted", self.contacted_at),
            ("scheduled", self.scheduled_at),
            ("first visit", self.first_visit_at),
        ]
        for name, value in stages:
            if value is not None and value.tzinfo is None:
                raise ValueError(f"the {name} time needs a time zone")
        if self.contacted_at and self.contacted_at < self.received_at:
            raise ValueError("contacted before the referral was received")
        if self.scheduled_at and self.scheduled_at < self.received_at:
            raise ValueError("scheduled before the referral was received")
        if self.first_visit_at and self.first_visit_at < self.received_at:
            raise ValueError("first visit before the referral was received")
        if self.lost and not self.lost_reason:
            raise ValueError("a lost referral needs a reason")
        if self.lost_reason and not self.lost:
            self.lost = True
        return self

    def status_at(self, now: datetime) -> str:
        """A first visit booked ahead is scheduled until its time comes; then
        `complete_visits_due` marks it completed."""
        if self.lost:
            return ReferralStatus.LOST.value
        if self.first_visit_at and self.first_visit_at <= now:
            return ReferralStatus.COMPLETED.value
        if self.scheduled_at or self.first_visit_at:
            return ReferralStatus.SCHEDULED.value
        if self.contacted_at:
            return ReferralStatus.CONTACTED.value
        return ReferralStatus.RECEIVED.value

    def row_values(self, now: datetime) -> dict[str, object]:
        values = self.model_dump(exclude={"lost"})
        values["status"] = self.status_at(now)
        return values


def _check_contact(session: Session, partner_id: int, contact_id: int | None) -> None:
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.partner_id != partner_id:
            raise InvalidInput("the referring contact does not work at this partner")


def create_referral(
    session: Session, actor: Actor, partner_id: int, data: ReferralInput, now: datetime
) -> Referral:
    require_editor(actor)
    partner = get_partner(session, partner_id)
    _check_contact(session, partner_id, data.contact_id)
    referral = Referral(
        partner_id=partner_id, **data.row_values(now), created_at=now, updated_at=now
    )
    session.add(referral)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "referral",
        referral.id,
        {"partner_id": partner_id, "status": referral.status},
        now,
    )
    if _may_move(partner, referral.received_at, now):
        advance_lifecycle(
            session, now, partner_ids=[partner_id]
        )  # out of prospecting before the next email
    return referral


def _may_move(partner: Partner, received_at: datetime, now: datetime) -> bool:
    """Whether this referral can change the partner's status now. Only silence moves a
    referral source (to dormant, after DORMANT_MIN_DAYS at the least), so a source whose
    new referral already counts (received by `now`, within that time) stays a source:
    the lifecycle's read is then skipped, which keeps each form sent through a partner
    link cheap. The hourly pass still judges every partner."""
    received = as_utc(received_at)
    return not (
        partner.status == PartnerStatus.REFERRAL_SOURCE.value
        and now - timedelta(days=DORMANT_MIN_DAYS) <= received <= now
    )


def update_referral(
    session: Session, actor: Actor, referral_id: int, data: ReferralInput, now: datetime
) -> Referral:
    require_editor(actor)
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound(f"no referral with id {referral_id}")
    _check_contact(session, referral.partner_id, data.contact_id)
    audit.apply_changes(session, actor, "referral", referral, data.row_values(now), now)
    return referral


def complete_visits_due(session: Session, now: datetime) -> int:
    """Referrals whose booked first visit has come: completed, as the funnel and the
    partners' updates already count them. Reads only the scheduled ones, by index."""
    result = session.execute(
        update(Referral)
        .where(
            Referral.status == ReferralStatus.SCHEDULED.value,
            Referral.first_visit_at <= now,
        )
        .values(status=ReferralStatus.COMPLETED.value, updated_at=now)
    )
    return result.rowcount or 0
