"""The lifecycle pass as a scheduler job: hourly, before dispatch, in its own transaction."""

from datetime import timedelta

from sqlmodel import Session

from crm import settings
from liaison.scheduler.jobs import registered, run_safely
from tests.factories import make_partner, make_referral
from tests.lifecycle_helpers import status_of


def lifecycle_job():
    return next(job for job in registered() if job.name == "lifecycle")


def test_the_lifecycle_job_runs_hourly_before_dispatch():
    orders = {job.name: job.order for job in registered()}
    assert (lifecycle_job().every_seconds, orders["lifecycle"] < orders["dispatch"]) == (3600, True)


def test_the_lifecycle_job_commits_its_moves(engine, session, app_env, now):
    partner = make_partner(session)
    make_referral(session, partner, received_at=now - timedelta(days=1))
    assert run_safely(lifecycle_job(), engine, settings.get(), lambda: now) == "status changes: 1"
    with Session(engine) as fresh:
        assert status_of(fresh, partner) == "referral_source"
