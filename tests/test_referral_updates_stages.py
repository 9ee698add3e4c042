"""Which referral events are recorded as updates for the partner to hear about."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from campaigns.referral_updates.stages import record_new_stages
from crm.models import ReferralUpdate
from tests.factories import make_partner, make_referral


def _stages(session):
    session.expire_all()
    return sorted(session.exec(select(ReferralUpdate.stage)).all())


def test_a_new_referral_is_recorded_as_received(session, now):
    referral = make_referral(session, make_partner(session), received_at=now - timedelta(hours=1))
    record_new_stages(session, now)
    row = session.exec(select(ReferralUpdate)).one()
    assert (row.referral_id, row.stage, row.status, row.happened_at) == (
        referral.id,
        "received",
        "pending",
        referral.received_at,
    )


def test_a_scheduled_referral_is_recorded_as_scheduled_too(session, now):
    make_referral(
        session,
        make_partner(session),
        received_at=now - timedelta(days=2),
        scheduled_at=now + timedelta(days=3),
        status="scheduled",
    )
    record_new_stages(session, now)
    assert _stages(session) == ["received", "scheduled"]


def test_a_first_visit_that_has_happened_is_recorded_as_completed(session, now):
    make_referral(
        session,
        make_partner(session),
        received_at=now - timedelta(days=5),
        scheduled_at=now - timedelta(days=3),
        first_visit_at=now - timedelta(hours=2),
        status="completed",
    )
    record_new_stages(session, now)
    assert _stages(session) == ["completed", "received", "scheduled"]


def test_a_first_visit_still_in_the_future_is_not_completed_yet(session, now):
    make_referral(
        session,
        make_partner(session),
        received_at=now - timedelta(days=5),
        scheduled_at=now - timedelta(days=3),
        first_visit_at=now + timedelta(hours=2),
    )
    record_new_stages(session, now)
    assert "completed" not in _stages(session)


def test_a_referral_received_before_the_cutoff_is_history_not_news(session, now):
    make_referral(
        session,
        make_partner(session),
        received_at=now - timedelta(days=31),
        scheduled_at=now - timedelta(days=1),
    )
    assert record_new_stages(session, now) == 0


def test_a_second_pass_records_nothing_new(session, now):
    make_referral(session, make_partner(session), received_at=now - timedelta(hours=1))
    record_new_stages(session, now)
    assert record_new_stages(session, now + timedelta(minutes=2)) == 0


def test_a_stage_reached_after_the_first_pass_is_recorded_on_the_next(session, now):
    referral = make_referral(session, make_partner(session), received_at=now - timedelta(hours=1))
    record_new_stages(session, now)
    referral.scheduled_at = now + timedelta(days=1)
    session.add(referral)
    session.commit()
    assert record_new_stages(session, now + timedelta(minutes=2)) == 1
