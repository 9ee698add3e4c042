"""Daily and weekly digests: one email per partner once the day or week has ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from campaigns.referral_updates.digests import last_period
from tests.factories import make_contact, make_referral
from tests.referral_update_helpers import email_partner, messages, run, updates

DIGEST = ("referral_digest",)
NEW_YORK = ZoneInfo("America/New_York")


def _partner_with_two_referrals(session, now, preference):
    partner = email_partner(session, update_preference=preference)
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(hours=2), partner_reference="RFM-1")
    make_referral(session, partner, received_at=now - timedelta(hours=1), partner_reference="RFM-2")
    return partner


def test_a_daily_partner_gets_nothing_on_the_day_itself(session, now):
    _partner_with_two_referrals(session, now, "daily")
    run(session, now)
    assert (messages(session), messages(session, DIGEST)) == ([], [])


def test_a_daily_partner_gets_one_digest_the_next_day(session, now):
    partner = _partner_with_two_referrals(session, now, "daily")
    run(session, now)
    run(session, now + timedelta(days=1))
    assert [m.idempotency_key for m in messages(session, DIGEST)] == [
        f"referral-digest:{partner.id}:2026-11-25"
    ]


def test_the_digest_lists_each_update_by_reference_status_and_date(session, now):
    _partner_with_two_referrals(session, now, "daily")
    run(session, now)
    run(session, now + timedelta(days=1))
    [digest] = messages(session, DIGEST)
    assert (
        "RFM-1: Received on November 25, 2026" in digest.text,
        "RFM-2: Received on November 25, 2026" in digest.html,
    ) == (True, True)


def test_the_digest_marks_every_update_it_carries_as_sent(session, now):
    _partner_with_two_referrals(session, now, "daily")
    run(session, now)
    run(session, now + timedelta(days=1))
    [digest] = messages(session, DIGEST)
    assert {(u.status, u.message_id) for u in updates(session)} == {("sent", digest.id)}


def test_an_update_recorded_after_the_day_ended_waits_for_the_next_digest(session, now):
    partner = _partner_with_two_referrals(session, now, "daily")
    run(session, now)
    make_referral(
        session, partner, received_at=now + timedelta(hours=23), partner_reference="RFM-3"
    )
    run(session, now + timedelta(hours=23, minutes=30))
    run(session, now + timedelta(days=1))
    assert [u.status for u in updates(session)] == ["sent", "sent", "pending"]


def test_running_the_next_day_twice_sends_one_digest(session, now):
    _partner_with_two_referrals(session, now, "daily")
    run(session, now)
    run(session, now + timedelta(days=1))
    report = run(session, now + timedelta(days=1, minutes=2))
    assert (report.digests, len(messages(session, DIGEST))) == (0, 1)


def test_a_weekly_partner_hears_nothing_before_the_week_is_over(session, now):
    _partner_with_two_referrals(session, now, "weekly")
    run(session, now)
    run(session, now + timedelta(days=4))  # Sunday 2026-11-29
    assert messages(session, DIGEST) == []


def test_a_weekly_partner_gets_its_digest_on_monday_keyed_by_the_week(session, now):
    partner = _partner_with_two_referrals(session, now, "weekly")
    run(session, now)
    run(session, now + timedelta(days=5))  # Monday 2026-11-30
    assert [m.idempotency_key for m in messages(session, DIGEST)] == [
        f"referral-digest:{partner.id}:2026-W48"
    ]


def test_a_digest_goes_to_the_main_contact(session, now):
    partner = email_partner(session, update_preference="daily")
    make_contact(session, partner, role="physician")
    coordinator = make_contact(session, partner, role="referral_coordinator")
    make_referral(session, partner, received_at=now - timedelta(hours=1))
    run(session, now)
    run(session, now + timedelta(days=1))
    assert [m.contact_id for m in messages(session, DIGEST)] == [coordinator.id]


def test_the_last_day_is_the_practices_day_not_utcs():
    late_sunday_in_new_york = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    period = last_period("daily", late_sunday_in_new_york, NEW_YORK)
    assert (period.key, period.label) == ("2026-11-28", "November 28, 2026")


def test_the_last_week_ends_at_the_practices_monday_midnight():
    late_sunday_in_new_york = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    period = last_period("weekly", late_sunday_in_new_york, NEW_YORK)
    assert (period.key, period.ends_at) == ("2026-W47", datetime(2026, 11, 23, tzinfo=NEW_YORK))


def test_a_digest_with_no_one_to_send_it_to_skips_its_updates(session, now):
    partner = email_partner(session, update_preference="daily")
    make_referral(session, partner, received_at=now - timedelta(hours=1))
    run(session, now)
    report = run(session, now + timedelta(days=1))
    assert ([u.status for u in updates(session)], report.skipped) == (
        ["skipped"],
        {"no_recipient": 1},
    )
