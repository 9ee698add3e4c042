"""Partners that hear about their referrals by email, and one pass of the program."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from campaigns.referral_updates import PassReport, run_pass
from crm.models import Message, Partner, ReferralUpdate
from crm.settings import Settings
from tests.factories import make_partner

SETTINGS = Settings(
    _env_file=None,
    secret_key="test-secret-key",
    practice_name="Summit Sports Medicine",
    timezone="America/New_York",
)


def email_partner(session: Session, **fields: Any) -> Partner:
    return make_partner(
        session, **{"referral_channel": "email", "update_preference": "per_referral", **fields}
    )


def run(session: Session, now: datetime, settings: Settings = SETTINGS) -> PassReport:
    report = run_pass(session, settings, now)
    session.commit()
    return report


NOTICES = ("referral_acknowledgment", "referral_status_update")


def messages(session: Session, templates: tuple[str, ...] = NOTICES) -> list[Message]:
    """The messages made from these templates (by default the per-referral ones, not
    the first-referral thank-you that a partner's first referral also earns)."""
    session.expire_all()
    return list(
        session.exec(
            select(Message).where(Message.template.in_(templates)).order_by(Message.id)
        ).all()
    )


def updates(session: Session) -> list[ReferralUpdate]:
    session.expire_all()
    return list(session.exec(select(ReferralUpdate).order_by(ReferralUpdate.id)).all())
