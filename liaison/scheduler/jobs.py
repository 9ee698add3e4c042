"""The scheduler's work, in one registry. A job is a plain function of the engine,
the settings and `now`; all its state lives in the app's own tables, so a job can run
from APScheduler, from `crm send-due` or from a test, and a restart loses nothing.

Later programs (cadences, events, reviews, seasonal) register their planners here;
planners are listed before the dispatch job so that one pass of `send-due` plans and
then sends."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from campaigns.alerts.dormancy_digest import EVERY_SECONDS as DIGEST_EVERY_SECONDS
from campaigns.alerts.dormancy_digest import dormancy_digest_job
from campaigns.cadences.job import planner_job, rules_job
from campaigns.events.sending import reminders_job
from campaigns.mail.sending import dispatcher_from_settings
from campaigns.mail.suppressions import sync_from_sendgrid
from campaigns.mail.transports.sendgrid_api import client_for
from campaigns.referral_updates import EVERY_SECONDS
from campaigns.referral_updates import scheduled_job as referral_updates_job
from campaigns.reports.job import EVERY_SECONDS as REPORT_EVERY_SECONDS
from campaigns.reports.job import monthly_report_job
from campaigns.reviews.job import review_job
from campaigns.seasonal.enqueue import seasonal_job
from campaigns.surveys.sending import EVERY_SECONDS as SURVEY_EVERY_SECONDS
from campaigns.surveys.sending import reminders_job as survey_reminders_job
from crm.clock import Clock
from crm.db import session_scope
from crm.lifecycle import advance_lifecycle
from crm.referral_counts import reconcile_recent
from crm.referrals import complete_visits_due
from crm.settings import Settings

log = logging.getLogger("liaison.jobs")

JobFunction = Callable[[Engine, Settings, Clock], Any]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction
    every_seconds: int
    order: int = 100


_REGISTRY: dict[str, Job] = {}


def register(job: Job) -> Job:
    _REGISTRY[job.name] = job
    return job


def registered() -> list[Job]:
    _load_builtin()
    return sorted(_REGISTRY.values(), key=lambda job: (job.order, job.name))


def run_all_due(engine: Engine, settings: Settings, clock: Clock) -> dict[str, Any]:
    """One pass of everything, in order; one job failing does not stop the others."""
    results: dict[str, Any] = {}
    for job in registered():
        results[job.name] = run_safely(job, engine, settings, clock)
    return results


def run_safely(job: Job, engine: Engine, settings: Settings, clock: Clock) -> Any:
    try:
        return job.run(engine, settings, clock)
    except Exception as error:  # noqa: BLE001  logged; the job runs again next time
        log.exception("job %s failed; it will run again at its next time", job.name)
        return error


def _dispatch(engine: Engine, settings: Settings, clock: Clock) -> Any:
    dispatcher = dispatcher_from_settings(engine, settings, clock)
    try:
        return dispatcher.run_pass()
    finally:
        dispatcher.close()


def _sync_suppressions(engine: Engine, settings: Settings, clock: Clock) -> Any:
    if settings.email_transport != "sendgrid":
        return "skipped: the transport is not SendGrid"
    with session_scope(engine) as session:
        return sync_from_sendgrid(session, client_for(settings), clock())


def _lifecycle(engine: Engine, settings: Settings, clock: Clock) -> Any:
    """Before the cadence planner and dispatch, so a partner that just became a referral
    source is out of its prospecting cadence before its next email is planned or sent."""
    with session_scope(engine) as session:
        return f"status changes: {len(advance_lifecycle(session, clock()).moves)}"


def _visits_due(engine: Engine, settings: Settings, clock: Clock) -> Any:
    with session_scope(engine) as session:
        return f"first visits come: {complete_visits_due(session, clock())}"


def _referral_counts(engine: Engine, settings: Settings, clock: Clock) -> Any:
    """The triggers keep the counts; this repairs the recent days should anything have
    written around them (a restored backup, a hand edit with the triggers off)."""
    return f"referral count rows rebuilt: {reconcile_recent(engine, clock())}"


def _load_builtin() -> None:
    if "dispatch" not in _REGISTRY:
        register(Job("sync_suppressions", _sync_suppressions, every_seconds=3600, order=10))
        register(Job("lifecycle", _lifecycle, every_seconds=3600, order=50))
        register(Job("visits_due", _visits_due, every_seconds=900, order=40))
        register(Job("referral_counts", _referral_counts, every_seconds=3600, order=800))
        register(
            Job("referral_updates", referral_updates_job, every_seconds=EVERY_SECONDS, order=450)
        )
        register(Job("dispatch", _dispatch, every_seconds=60, order=1000))
        register(Job("cadence_rules", rules_job, every_seconds=900, order=400))
        register(Job("cadences", planner_job, every_seconds=300, order=500))
        register(Job("seasonal", seasonal_job, every_seconds=900, order=600))
        register(Job("event_reminders", reminders_job, every_seconds=900, order=600))
        register(Job("reviews", review_job, every_seconds=900, order=600))
        register(
            Job(
                "survey_reminders",
                survey_reminders_job,
                every_seconds=SURVEY_EVERY_SECONDS,
                order=600,
            )
        )
        register(
            Job(
                "dormancy_digest",
                dormancy_digest_job,
                every_seconds=DIGEST_EVERY_SECONDS,
                order=650,
            )
        )
        register(
            Job("monthly_report", monthly_report_job, every_seconds=REPORT_EVERY_SECONDS, order=700)
        )
