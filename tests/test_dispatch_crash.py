"""A dispatcher killed with SIGKILL in the middle of a batch, then restarted: no key is
delivered twice and every message ends final or `unknown`, never silently lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlmodel import func, select

from campaigns.mail.dispatch import LEASE
from campaigns.mail.outbox import enqueue_many
from crm import clock
from crm.models import Message
from tests.conftest import ROOT
from tests.outbox_helpers import draft
from tests.sendgrid_server import sendgrid_server  # noqa: F401


def _send_due(env, *args):
    return subprocess.Popen(
        [sys.executable, "-m", "liaison", "send-due", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_killed_dispatcher_never_causes_a_second_delivery(
    database_url, session, sendgrid_server, tmp_path
):
    started = clock.now()
    drafts = [draft(kind="event", transactional=True) for _ in range(300)]
    enqueue_many(session, drafts, started)
    session.commit()
    sendgrid_server.set_faults(1.0, ["slow"], seed=1, slow_ms=40)
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_SECRET_KEY": "test-secret-key",
        "LIAISON_EMAIL_TRANSPORT": "sendgrid",
        "LIAISON_SENDGRID_API_KEY": "SG.test",
        "LIAISON_SENDGRID_HOST": sendgrid_server.url,
        "LIAISON_OUTBOX_DIR": str(tmp_path / "outbox"),
    }

    first = _send_due(env)
    deadline = time.monotonic() + 60
    while len(sendgrid_server.deliveries_by_key()) < 10:
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, "the dispatcher never started sending"
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    delivered_before_restart = len(sendgrid_server.deliveries_by_key())
    assert 10 <= delivered_before_restart < 300

    sendgrid_server.set_faults(0.0)
    later = (clock.now() + LEASE).isoformat()
    second = _send_due(env, "--now", later)
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output

    session.expire_all()
    statuses = dict(
        session.exec(select(Message.status, func.count()).group_by(Message.status)).all()
    )
    assert set(statuses) <= {"sent", "unknown"} and sum(statuses.values()) == 300
    assert statuses.get("unknown", 0) > 0 and statuses.get("sent", 0) > 0, (statuses, output)
    delivered = sendgrid_server.deliveries_by_key()
    assert set(delivered.values()) == {1}
    sent = set(session.exec(select(Message.idempotency_key).where(Message.status == "sent")).all())
    assert sent <= set(delivered)
