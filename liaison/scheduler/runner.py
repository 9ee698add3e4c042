"""The long-running scheduler: APScheduler runs the registered jobs on their intervals
once this process holds leadership; until then it waits as a standby."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine

from crm.clock import Clock
from crm.clock import now as current_time
from crm.settings import Settings
from liaison.scheduler.jobs import registered, run_safely
from liaison.scheduler.leader import Leadership, leadership_for

log = logging.getLogger("liaison.scheduler")
STANDBY_POLL_SECONDS = 5.0


def build_scheduler(
    engine: Engine,
    settings: Settings,
    clock: Clock = current_time,
    kind: type[BaseScheduler] = BlockingScheduler,
) -> BaseScheduler:
    """Coalesced, one instance per job, and no misfire limit: a laptop waking from sleep
    runs each late job once (never a burst, never a silent skip); due work is in the
    tables, so that one run catches up."""
    scheduler = kind(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    for job in registered():
        scheduler.add_job(
            run_safely,
            "interval",
            seconds=job.every_seconds,
            id=job.name,
            name=job.name,
            args=[job, engine, settings, clock],
            next_run_time=clock(),
        )
    return scheduler


def wait_for_leadership(
    leadership: Leadership, stop: threading.Event, poll: float = STANDBY_POLL_SECONDS
) -> bool:
    announced = False
    while not stop.is_set():
        if leadership.try_acquire():
            log.info("this scheduler is now the active one")
            return True
        if not announced:
            log.info("another scheduler is active; waiting as standby")
            announced = True
        _pause(stop, poll)
    return False


def _pause(stop: threading.Event, seconds: float, step: float = 0.2) -> None:
    """Short sleeps rather than `stop.wait(seconds)`: a timed wait on a condition never
    returns under libfaketime, with which CI runs the suite at other dates, while a
    sleep does; a stop still takes effect within a step."""
    deadline = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < deadline:
        time.sleep(min(step, max(deadline - time.monotonic(), 0)))


def run(engine: Engine, settings: Settings, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    leadership = leadership_for(engine)
    try:
        if not wait_for_leadership(leadership, stop):
            return
        scheduler = build_scheduler(engine, settings)
        threading.Thread(
            target=lambda: (stop.wait(), scheduler.shutdown(wait=False)), daemon=True
        ).start()
        for job in scheduler.get_jobs():
            log.info("job %s: %s", job.id, job.trigger)
        scheduler.start()
    finally:
        leadership.release()
