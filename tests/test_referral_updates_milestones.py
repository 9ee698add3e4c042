"""Thank-you notes for a partner's first referral and its milestones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from crm.settings import Settings
from tests.factories import make_contact, make_referral
from tests.referral_update_helpers import SETTINGS, email_partner, messages, run

THANKS = ("first_referral_thanks", "referral_milestone")


def _referrals(session, partner, count, newest):
    for n in range(count):
        make_referral(session, partner, received_at=newest - timedelta(days=count - 1 - n))


def test_a_partners_first_referral_earns_a_thank_you(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    _referrals(session, partner, 1, now - timedelta(minutes=5))
    run(session, now)
    assert [m.idempotency_key for m in messages(session, THANKS)] == [
        f"referral-thanks:{partner.id}:first"
    ]


def test_a_first_referral_older_than_the_cutoff_earns_no_thanks_now(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(days=400))
    _referrals(session, partner, 1, now - timedelta(minutes=5))
    run(session, now)
    assert messages(session, THANKS) == []


def test_the_tenth_referral_earns_a_milestone_note(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(days=200))
    _referrals(session, partner, 9, now - timedelta(minutes=5))
    run(session, now)
    [note] = messages(session, THANKS)
    assert (note.idempotency_key, note.subject) == (
        f"referral-milestone:{partner.id}:10",
        "Thank you for 10 referrals",
    )


def test_the_ninth_referral_earns_no_milestone_note(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(days=200))
    _referrals(session, partner, 8, now - timedelta(minutes=5))
    run(session, now)
    assert messages(session, THANKS) == []


def test_the_milestones_come_from_the_settings(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(days=200))
    _referrals(session, partner, 2, now - timedelta(minutes=5))
    run(session, now, SETTINGS.model_copy(update={"referral_milestones": "3"}))
    assert [m.idempotency_key for m in messages(session, THANKS)] == [
        f"referral-milestone:{partner.id}:3"
    ]


def test_a_milestone_note_is_sent_once(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    _referrals(session, partner, 1, now - timedelta(minutes=5))
    run(session, now)
    report = run(session, now + timedelta(minutes=2))
    assert (report.thanks, len(messages(session, THANKS))) == (0, 1)


def test_a_partner_that_wants_no_updates_gets_no_thanks(session, now):
    partner = email_partner(session, update_preference="none")
    make_contact(session, partner)
    _referrals(session, partner, 1, now - timedelta(minutes=5))
    run(session, now)
    assert messages(session, THANKS) == []


def test_milestones_must_be_counts_above_one():
    with pytest.raises(ValidationError, match="referral counts above 1"):
        Settings(_env_file=None, referral_milestones="10,ten")
