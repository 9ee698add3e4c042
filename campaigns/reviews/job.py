"""The scheduler's side of review requests."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from campaigns.reviews.planner import ReviewPassReport, run_review_pass
from crm.clock import Clock
from crm.db import session_scope
from crm.settings import Settings


def review_job(engine: Engine, settings: Settings, clock: Clock) -> ReviewPassReport:
    with session_scope(engine) as session:
        return run_review_pass(session, settings, clock())
