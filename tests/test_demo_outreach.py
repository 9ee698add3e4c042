"""The demo's month of outreach: a new user opens a plan that is already at work."""

from __future__ import annotations

from sqlmodel import func, select

from crm.lifecycle import advance_lifecycle
from crm.models import Enrolment, Message, Segment, Task, Touch
from crm.settings import Settings
from liaison.demo import seed_demo
from liaison.demo.outreach import seed_outreach

SETTINGS = Settings(_env_file=None, secret_key="test-secret-key")


def _seeded(engine, now):
    seed_demo(engine, partners=150, years=1, seed=3, now=now)
    return seed_outreach(engine, SETTINGS, now=now)


def _count(session, *where, table=Task):
    return session.exec(select(func.count()).select_from(table).where(*where)).one()


def test_the_demo_plan_has_segments_cadences_and_live_enrolments(engine, session, now):
    summary = _seeded(engine, now)
    assert (summary.segments, summary.cadences) == (4, 3)
    assert _count(session, table=Segment) == 4
    assert _count(session, Enrolment.status == "active", table=Enrolment) > 0


def test_past_emails_are_sent_and_logged_as_email_touches(engine, session, now):
    summary = _seeded(engine, now)
    assert summary.emails_sent > 0
    assert (
        _count(session, Message.status == "sent", Message.provider == "demo", table=Message)
        == summary.emails_sent
    )
    assert (
        _count(session, Touch.kind == "email", Touch.message_id.is_not(None), table=Touch)
        == summary.emails_sent
    )


def test_the_liaisons_have_overdue_and_upcoming_tasks_and_done_ones_have_touches(
    engine, session, now
):
    _seeded(engine, now)
    today = now.date()
    assert _count(session, Task.status == "open", Task.due_on < today) > 0
    assert _count(session, Task.status == "open", Task.due_on >= today) > 0
    done = _count(session, Task.status == "done")
    assert done > 0 and _count(session, Touch.task_id.is_not(None), table=Touch) == done


def test_statuses_are_consistent_with_the_lifecycle_after_seeding(engine, session, now):
    _seeded(engine, now)
    assert advance_lifecycle(session, now).moves == []


def test_the_plan_is_never_seeded_twice(engine, now):
    _seeded(engine, now)
    assert seed_outreach(engine, SETTINGS, now=now) is None
