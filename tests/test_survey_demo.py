"""The demo's partner surveys: two quarters sent to a sample of partners, answered in
part, the same way every time, and never seeded twice."""

from __future__ import annotations

import time

from sqlmodel import func, select

from crm.models import SurveyAnswer, SurveyRequest, Task
from crm.settings import Settings
from crm.surveys import results_by_partner_type, survey_comments
from liaison.demo import seed_demo
from liaison.demo.surveys import seed_surveys

SETTINGS = Settings(_env_file=None, secret_key="test-secret-key")


def test_the_demo_has_two_quarters_of_answers_with_comments_and_reminders(engine, session, now):
    seed_demo(engine, partners=150, years=1, seed=3, now=now)
    started = time.monotonic()
    summary = seed_surveys(engine, SETTINGS, now=now)
    assert time.monotonic() - started < 20
    assert summary.survey_requests > 50 and summary.survey_answers > 100
    quarters = set(session.exec(select(SurveyRequest.quarter).distinct()).all())
    assert quarters == {"2026-Q3", "2026-Q4"}
    rows = results_by_partner_type(session, ["2026-Q3", "2026-Q4"])
    assert all(0 < r.responses < r.sent for r in rows if r.sent >= 5)
    assert survey_comments(session, ["2026-Q3", "2026-Q4"])
    reminded = session.exec(
        select(func.count())
        .select_from(SurveyRequest)
        .where(SurveyRequest.reminded_at.is_not(None))
    ).one()
    assert reminded > 0
    low_tasks = session.exec(
        select(func.count()).select_from(Task).where(Task.idempotency_key.like("survey:%"))
    ).one()
    assert low_tasks > 0
    assert seed_surveys(engine, SETTINGS, now=now) is None
    assert (
        session.exec(select(func.count()).select_from(SurveyAnswer)).one() == summary.survey_answers
    )
