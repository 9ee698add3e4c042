"""The one clock seam: the app, the command line and the scheduler read the practice's
time from it, and a process told to run from another instant agrees with its parent."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from crm import clock
from tests.conftest import NOW, ROOT


def test_every_test_runs_at_the_fixed_instant():
    assert timedelta(0) <= clock.now() - NOW < timedelta(minutes=1)


def test_a_running_clock_keeps_the_machines_pace():
    running = clock.RunningClock(NOW, anchor=clock.system_now() - timedelta(hours=2))
    assert timedelta(hours=2) <= running() - NOW < timedelta(hours=2, minutes=1)


def test_a_test_can_move_the_clock(practice_clock):
    practice_clock(datetime(2028, 3, 1, 4, 30, tzinfo=UTC))
    assert clock.now().date().isoformat() == "2028-03-01"


def test_a_command_started_by_a_test_runs_at_the_tests_instant(app_env, practice_clock):
    practice_clock(datetime(2027, 3, 14, 6, 59, tzinfo=UTC))
    code = "from crm import clock, settings; settings.get(); print(clock.now().isoformat())"
    printed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    seen = datetime.fromisoformat(printed.stdout.strip())
    assert timedelta(0) <= seen - datetime(2027, 3, 14, 6, 59, tzinfo=UTC) < timedelta(minutes=1)
