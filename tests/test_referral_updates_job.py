"""The program's place in the scheduler and the partner's choice of updates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from campaigns.referral_updates import scheduled_job
from crm.partners import PartnerInput, create_partner
from liaison.scheduler.jobs import registered
from tests.factories import make_contact, make_referral
from tests.outbox_helpers import Clock
from tests.referral_update_helpers import SETTINGS, email_partner, messages


def test_referral_updates_are_planned_before_dispatch_sends():
    names = [job.name for job in registered()]
    assert names.index("referral_updates") < names.index("dispatch")


def test_the_scheduled_job_commits_its_acknowledgments(engine, session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(minutes=1))
    scheduled_job(engine, SETTINGS, Clock(now))
    assert len(messages(session)) == 1


def test_a_new_partner_gets_per_referral_updates_unless_told_otherwise(session, marketer, now):
    partner = create_partner(
        session, marketer, PartnerInput(name="Oak Clinic", partner_type="primary_care"), now
    )
    assert partner.update_preference == "per_referral"


def test_a_partner_can_choose_a_weekly_digest(session, marketer, now):
    data = PartnerInput(name="Oak Clinic", partner_type="primary_care", update_preference="Weekly")
    assert create_partner(session, marketer, data, now).update_preference == "weekly"


def test_an_unknown_update_preference_is_refused():
    with pytest.raises(ValidationError):
        PartnerInput(name="Oak Clinic", partner_type="primary_care", update_preference="hourly")
