"""Rows the lifecycle tests share: cadences by purpose, live enrolments, status history."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlmodel import Session, select

from crm.models import Cadence, Enrolment, Partner, PartnerStatusChange
from tests.conftest import NOW
from tests.factories import make_referral

_seq = itertools.count(1)


def make_cadence(session: Session, purpose: str = "prospecting", **fields) -> Cadence:
    cadence = Cadence(
        **{
            "name": f"{purpose} {next(_seq)}",
            "purpose": purpose,
            "created_at": NOW,
            "updated_at": NOW,
            **fields,
        }
    )
    session.add(cadence)
    session.commit()
    return cadence


def enrolments(session: Session, partner: Partner) -> list[tuple[int, str, str]]:
    """(cadence id, status, exit reason) of every enrolment of the partner."""
    rows = session.exec(
        select(Enrolment.cadence_id, Enrolment.status, Enrolment.exit_reason)
        .where(Enrolment.partner_id == partner.id)
        .order_by(Enrolment.id)
    )
    return [tuple(row) for row in rows]


def history(session: Session, partner: Partner) -> list[tuple[str, str, str, int | None]]:
    """(from, to, cause, cause id) of every recorded move of the partner, in order."""
    rows = session.exec(
        select(
            PartnerStatusChange.from_status,
            PartnerStatusChange.to_status,
            PartnerStatusChange.cause,
            PartnerStatusChange.cause_id,
        )
        .where(PartnerStatusChange.partner_id == partner.id)
        .order_by(PartnerStatusChange.at, PartnerStatusChange.id)
    )
    return [tuple(row) for row in rows]


def status_of(session: Session, partner: Partner) -> str:
    return session.exec(select(Partner.status).where(Partner.id == partner.id)).one()


def refer_every(session: Session, partner: Partner, days: int, count: int, last: datetime) -> None:
    """`count` referrals `days` apart, the last one at `last`, each entered when received."""
    for n in range(count):
        received_at = last - timedelta(days=days * (count - 1 - n))
        make_referral(session, partner, received_at=received_at, created_at=received_at)
