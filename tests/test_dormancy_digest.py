"""The Monday digest: one email per liaison with partners going quiet, once a week.

NOW (Wednesday 25 November 2026) is in ISO week 2026-W48; its Monday is the 23rd.
Partners are made relative to each run's own time, so every run sees the same risk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from campaigns.alerts.dormancy_digest import STATE, digest_due, send_dormancy_digests
from crm.models import Message, SyncState
from liaison.scheduler.jobs import registered
from tests.dormancy_helpers import SETTINGS, partner, spread
from tests.factories import make_user

ZONE = ZoneInfo("America/New_York")
MONDAY_7AM = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 07:00 in New York
TUESDAY = MONDAY_7AM + timedelta(days=1)


def quiet(session, owner_id, name, at):  # type: ignore[no-untyped-def]
    """24 referrals in the year before the last 90 days, none since: at risk at `at`."""
    p = partner(session, owner_id=owner_id, name=name)
    spread(session, p, 24, at - timedelta(days=455), at - timedelta(days=90))
    return p


def busy(session, owner_id, name, at):  # type: ignore[no-untyped-def]
    p = partner(session, owner_id=owner_id, name=name)
    spread(session, p, 24, at - timedelta(days=455), at - timedelta(days=90))
    spread(session, p, 6, at - timedelta(days=90), at)
    return p


def run(session, at):  # type: ignore[no-untyped-def]
    report = send_dormancy_digests(session, SETTINGS, at)
    session.commit()
    return report


def messages(session):  # type: ignore[no-untyped-def]
    return list(session.exec(select(Message).order_by(Message.to_email)))


def test_nothing_is_due_before_seven_on_monday_morning():
    assert digest_due(MONDAY_7AM - timedelta(minutes=1), ZONE, None) is None


def test_the_week_is_due_from_seven_on_monday():
    assert digest_due(MONDAY_7AM, ZONE, None) == "2026-W48"


def test_a_week_already_sent_is_not_due_again():
    assert digest_due(TUESDAY, ZONE, "2026-W48") is None


def test_last_weeks_digest_does_not_stop_this_weeks():
    assert digest_due(MONDAY_7AM, ZONE, "2026-W47") == "2026-W48"


def test_a_scheduler_down_on_monday_still_sends_on_tuesday():
    assert digest_due(TUESDAY, ZONE, "2026-W47") == "2026-W48"


def test_sunday_night_is_still_the_old_week():
    sunday = MONDAY_7AM - timedelta(hours=8)  # 23:00 on Sunday in New York, already Monday in UTC
    assert digest_due(sunday, ZONE, "2026-W47") is None


def test_a_monday_run_sends_one_email_to_each_owner(session):
    casey = make_user(session, name="Casey Morgan", email="casey@practice.test")
    jo = make_user(session, name="Jo Park", email="jo@practice.test")
    quiet(session, casey.id, "Riverside Family Medicine", MONDAY_7AM)
    quiet(session, casey.id, "Harbor Physical Therapy", MONDAY_7AM)
    quiet(session, jo.id, "North Shore Orthopedics", MONDAY_7AM)
    report = run(session, MONDAY_7AM)
    sent = messages(session)
    assert (report.week, report.emails, report.partners) == ("2026-W48", 2, 3)
    assert [(m.to_email, m.subject, m.kind, m.transactional) for m in sent] == [
        ("casey@practice.test", "2 of your partners may be going quiet", "alert", True),
        ("jo@practice.test", "1 of your partners may be going quiet", "alert", True),
    ]
    assert sent[0].idempotency_key == f"dormancy-digest:{casey.id}:2026-W48"


def test_the_email_names_the_partners_with_recent_and_expected_referrals_and_a_link(session):
    casey = make_user(session, name="Casey Morgan", email="casey@practice.test")
    quiet(session, casey.id, "Riverside Family Medicine", MONDAY_7AM)
    run(session, MONDAY_7AM)
    [email] = messages(session)
    assert "Hi Casey" in email.text
    assert (
        "- Riverside Family Medicine: 0 received, about 5.9 expected; last touch never"
        in email.text
    )
    assert "Riverside Family Medicine" in email.html
    assert "https://liaison.example.org/dormancy" in email.html


def test_a_second_run_the_same_week_sends_nothing(session):
    casey = make_user(session, name="Casey Morgan", email="casey@practice.test")
    quiet(session, casey.id, "Riverside Family Medicine", MONDAY_7AM)
    run(session, MONDAY_7AM)
    again = run(session, MONDAY_7AM + timedelta(hours=2))
    assert again.week is None and len(messages(session)) == 1


def test_a_partner_going_quiet_midweek_waits_for_next_monday(session):
    casey = make_user(session, name="Casey Morgan", email="casey@practice.test")
    run(session, MONDAY_7AM)
    quiet(session, casey.id, "Riverside Family Medicine", TUESDAY)
    assert run(session, TUESDAY).week is None and messages(session) == []


def test_a_tuesday_catch_up_sends_when_monday_was_missed(session):
    casey = make_user(session, name="Casey Morgan", email="casey@practice.test")
    quiet(session, casey.id, "Riverside Family Medicine", TUESDAY)
    report = run(session, TUESDAY)
    assert (report.week, report.emails) == ("2026-W48", 1)
    assert [m.to_email for m in messages(session)] == ["casey@practice.test"]


def test_an_owner_without_partners_at_risk_gets_nothing(session):
    casey = make_user(session, name="Casey Morgan", email="casey@practice.test")
    jo = make_user(session, name="Jo Park", email="jo@practice.test")
    quiet(session, casey.id, "Riverside Family Medicine", MONDAY_7AM)
    busy(session, jo.id, "North Shore Orthopedics", MONDAY_7AM)
    run(session, MONDAY_7AM)
    assert [m.to_email for m in messages(session)] == ["casey@practice.test"]


def test_an_inactive_owner_and_unowned_partners_get_nothing(session):
    gone = make_user(session, name="Former Liaison", email="gone@practice.test", active=False)
    quiet(session, gone.id, "Riverside Family Medicine", MONDAY_7AM)
    quiet(session, None, "Nobody's Clinic", MONDAY_7AM)
    report = run(session, MONDAY_7AM)
    assert (report.week, report.emails) == ("2026-W48", 0) and messages(session) == []


def test_the_idempotency_key_stops_a_second_email_even_if_the_week_marker_is_lost(session):
    casey = make_user(session, name="Casey Morgan", email="casey@practice.test")
    quiet(session, casey.id, "Riverside Family Medicine", MONDAY_7AM)
    run(session, MONDAY_7AM)
    session.delete(session.get(SyncState, STATE))
    session.commit()
    again = run(session, MONDAY_7AM + timedelta(hours=1))
    assert (again.week, again.emails) == ("2026-W48", 0) and len(messages(session)) == 1


def test_the_scheduler_runs_the_digest_as_a_registered_job(engine, session):
    casey = make_user(session, name="Casey Morgan", email="casey@practice.test")
    quiet(session, casey.id, "Riverside Family Medicine", MONDAY_7AM)
    [job] = [j for j in registered() if j.name == "dormancy_digest"]
    report = job.run(engine, SETTINGS, lambda: MONDAY_7AM)
    assert (report.week, report.emails) == ("2026-W48", 1)
    assert [m.to_email for m in messages(session)] == ["casey@practice.test"]
