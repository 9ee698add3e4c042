import os
import signal
import subprocess
import sys
import time

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from crm import settings
from liaison.scheduler import jobs
from liaison.scheduler.jobs import Job, register, run_all_due
from liaison.scheduler.leader import leadership_for
from liaison.scheduler.runner import build_scheduler
from tests.conftest import ROOT


@pytest.fixture
def app_settings(app_env):
    return settings.get()


@pytest.fixture
def extra_job():
    added = []

    def add(job):
        added.append(register(job))

    yield add
    for job in added:
        jobs._REGISTRY.pop(job.name, None)


def test_only_one_scheduler_holds_leadership_at_a_time(engine):
    first, second = leadership_for(engine), leadership_for(engine)
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        first.release()
        assert second.try_acquire() is True
    finally:
        first.release()
        second.release()


def test_a_failing_job_is_logged_and_the_others_still_run(engine, app_settings, now, extra_job):
    ran = []
    extra_job(Job("explodes", lambda *_: 1 / 0, every_seconds=60, order=1))
    extra_job(Job("records", lambda *_: ran.append("records") or "done", every_seconds=60, order=2))
    results = run_all_due(engine, app_settings, lambda: now)
    assert isinstance(results["explodes"], ZeroDivisionError)
    assert results["records"] == "done" and ran == ["records"]
    assert "dispatch" in results


def test_jobs_coalesce_run_one_at_a_time_and_never_expire_after_a_sleep(engine, app_settings, now):
    scheduler = build_scheduler(engine, app_settings, clock=lambda: now, kind=BackgroundScheduler)
    scheduler.start(paused=True)
    scheduled = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    assert {"dispatch", "sync_suppressions"} <= set(scheduled)
    dispatch = scheduled["dispatch"]
    assert (dispatch.coalesce, dispatch.max_instances, dispatch.misfire_grace_time) == (
        True,
        1,
        None,
    )
    assert dispatch.trigger.interval.total_seconds() == 60


def _start_scheduler(env):
    return subprocess.Popen(
        [sys.executable, str(ROOT / "scheduler.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(process, text, timeout=30.0):
    deadline = time.monotonic() + timeout
    seen = []
    os.set_blocking(process.stdout.fileno(), False)
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line:
            seen.append(line)
            if text in line:
                return seen
        else:
            time.sleep(0.1)
    raise AssertionError(f"{text!r} not printed; saw: {''.join(seen)}")


def test_a_standby_scheduler_takes_over_when_the_active_one_dies(database_url, tmp_path):
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_SECRET_KEY": "test-secret-key",
        "LIAISON_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    active = _start_scheduler(env)
    standby = None
    try:
        _wait_for(active, "now the active one")
        standby = _start_scheduler(env)
        _wait_for(standby, "waiting as standby")
        active.send_signal(signal.SIGKILL)
        active.wait(timeout=10)
        _wait_for(standby, "now the active one", timeout=20)
    finally:
        for process in (active, standby):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
