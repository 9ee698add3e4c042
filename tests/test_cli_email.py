"""The email commands: one pass of due work, the outbox counts, and `crm start` (what
`make run` runs) bringing up the app and the scheduler and stopping both on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

from typer.testing import CliRunner

from campaigns.mail.outbox import enqueue_many
from crm.models import Message
from liaison.cli import app
from tests.browser import free_port
from tests.conftest import ROOT
from tests.outbox_helpers import draft

runner = CliRunner()


def test_send_due_writes_due_messages_to_the_file_outbox(app_env, session, now, tmp_path):
    enqueue_many(session, [draft(kind="event", transactional=True) for _ in range(3)], now)
    session.commit()
    result = runner.invoke(app, ["send-due", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    assert "'sent': 3" in result.output
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 3


def test_send_due_refuses_a_malformed_time(app_env):
    result = runner.invoke(app, ["send-due", "--now", "next tuesday"])
    assert result.exit_code == 2 and "not an ISO time" in result.output


def test_outbox_status_counts_by_status_and_kind(app_env, session, now):
    enqueue_many(session, [draft(kind="event"), draft(kind="event"), draft(kind="review")], now)
    session.commit()
    session.execute(
        Message.__table__.update().where(Message.kind == "review").values(status="failed")
    )
    session.commit()
    result = runner.invoke(app, ["outbox", "status"])
    lines = result.output.splitlines()
    assert lines[0].split() == ["status", "event", "review", "total"]
    assert lines[1].split() == ["queued", "2", "0", "2"] and lines[2].split() == [
        "failed",
        "0",
        "1",
        "1",
    ]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return 0


def _start_until_healthy_then_ctrl_c(
    args: list[str], env: dict[str, str], port: int, waiting_for: str = ""
) -> tuple[int, str]:
    """`crm start ARGS` until /api/health answers on `port` and the output shows
    `waiting_for`, then Ctrl-C: its exit code and output."""
    process = subprocess.Popen(
        [sys.executable, "-m", "liaison", "start", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while _get(f"http://127.0.0.1:{port}/api/health") != 200 or waiting_for not in "".join(
            lines
        ):
            assert process.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, f"no answer on port {port} or no {waiting_for!r}"
            time.sleep(0.3)
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
        reader.join(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, "".join(lines)


def test_crm_start_runs_the_app_and_the_scheduler_and_ctrl_c_stops_both(database_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_SECRET_KEY": "test-secret-key",
        "LIAISON_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    code, output = _start_until_healthy_then_ctrl_c(
        ["--port", str(port)], env, port, waiting_for="this scheduler is now the active one"
    )
    assert code == 0
    assert _get(f"http://127.0.0.1:{port}/api/health") == 0


def test_crm_start_serves_on_the_port_liaison_port_names(database_url, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_SECRET_KEY": "test-secret-key",
        "LIAISON_OUTBOX_DIR": str(tmp_path / "outbox"),
        "LIAISON_PORT": str(port),
    }
    code, output = _start_until_healthy_then_ctrl_c([], env, port)
    assert (code, f"Liaison at http://localhost:{port}" in output) == (0, True)


def _planned(*args: str) -> list[str]:
    """The commands `make -n run ARGS` would run, one per line."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.strip() for line in planned.stdout.splitlines()]


def test_make_run_passes_its_port_on_to_crm_start():
    assert ".venv/bin/crm start --port 8765" in _planned("PORT=8765")
    assert ".venv/bin/crm start" in _planned()


def test_a_port_out_of_range_is_refused_at_start(database_url, tmp_path):
    env = {**os.environ, "LIAISON_DATABASE_URL": database_url, "LIAISON_PORT": "70000"}
    result = subprocess.run(
        [sys.executable, "-m", "liaison", "start"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "LIAISON_PORT" in result.stderr
