"""The demo's four programs at work: events, review requests, the seasonal plan and
referral updates."""

from __future__ import annotations

from sqlmodel import func, select

from crm.models import Event, EventInvitee, Message, ReferralUpdate, ReviewRequest, SeasonalSend
from crm.settings import Settings
from liaison.demo import seed_demo
from liaison.demo.outreach import seed_outreach
from liaison.demo.programs import seed_programs

SETTINGS = Settings(_env_file=None, secret_key="test-secret-key")


def _seeded(engine, now):
    seed_demo(engine, partners=150, years=1, seed=3, now=now)
    seed_outreach(engine, SETTINGS, now=now)
    return seed_programs(engine, SETTINGS, now=now)


def _count(session, table, *where):
    return session.exec(select(func.count()).select_from(table).where(*where)).one()


def test_the_demo_has_past_and_upcoming_events_with_answers_a_wait_list_and_attendance(
    engine, session, now
):
    summary = _seeded(engine, now)
    assert summary.events == 3
    assert _count(session, Event, Event.starts_at < now) == 2
    upcoming = session.exec(select(Event).where(Event.starts_at > now)).one()
    answers = {
        rsvp: _count(
            session, EventInvitee, EventInvitee.event_id == upcoming.id, EventInvitee.rsvp == rsvp
        )
        for rsvp in ("yes", "no", "waitlist")
    }
    assert answers["yes"] == upcoming.capacity and answers["no"] > 0 and answers["waitlist"] > 0
    assert summary.attendees == _count(session, EventInvitee, EventInvitee.attended.is_(True)) > 0
    assert _count(session, Event, Event.cost_per_attendee_cents > 0) == 3


def test_past_events_sent_invitations_reminders_and_follow_ups(engine, session, now):
    _seeded(engine, now)
    for kind in ("invitation", "reminder-7d", "reminder-1d", "follow-up"):
        assert (
            _count(
                session,
                Message,
                Message.kind == "event",
                Message.idempotency_key.contains(f":{kind}"),
            )
            > 0
        )


def test_review_requests_are_in_every_state(engine, session, now):
    summary = _seeded(engine, now)
    assert summary.visits > 0
    for status in ("requested", "reminded", "clicked"):
        assert _count(session, ReviewRequest, ReviewRequest.status == status) > 0, status
    assert (
        _count(
            session,
            ReviewRequest,
            ReviewRequest.status == "clicked",
            ReviewRequest.clicked_at.is_(None),
        )
        == 0
    )


def test_this_years_seasonal_plan_is_drafted_with_the_fall_season_approved(engine, session, now):
    summary = _seeded(engine, now)
    year = now.year
    assert summary.seasonal_sends == _count(session, SeasonalSend, SeasonalSend.year == year) > 0
    assert (
        _count(
            session, SeasonalSend, SeasonalSend.season == "fall", SeasonalSend.approved_at.is_(None)
        )
        == 0
    )
    assert (
        _count(session, SeasonalSend, SeasonalSend.season != "fall", SeasonalSend.status == "draft")
        > 0
    )
    assert _count(session, Message, Message.kind == "seasonal", Message.status == "sent") > 0


def test_referral_updates_were_sent(engine, session, now):
    summary = _seeded(engine, now)
    assert (
        summary.referral_updates
        == _count(session, ReferralUpdate, ReferralUpdate.status == "sent")
        > 0
    )


def test_past_program_emails_are_marked_sent_by_the_demo_provider(engine, session, now):
    summary = _seeded(engine, now)
    assert summary.emails_sent > 0
    assert _count(session, Message, Message.status == "sent", Message.provider != "demo") == 0


def test_the_programs_are_never_seeded_twice(engine, now):
    _seeded(engine, now)
    assert seed_programs(engine, SETTINGS, now=now) is None
