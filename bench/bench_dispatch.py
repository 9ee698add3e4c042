"""Dispatcher throughput: 10,000 queued messages sent through the local SendGrid
(running in its own process), against a bare keep-alive HTTP client posting the same
payloads to the same server.

    .venv/bin/python bench/bench_dispatch.py

prints `BENCH dispatch_msgs_per_s`, `BENCH dispatch_bare_client_msgs_per_s` and
`BENCH dispatch_share_of_bare_pct`; each is the median of three rounds, and every key
is checked delivered exactly once."""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import subprocess
import sys
from datetime import UTC, datetime

from common import ROOT, Stopwatch, fresh_database, report_value  # noqa: E402
from sqlmodel import Session  # noqa: E402

from campaigns.mail.dispatch import DispatchConfig, Dispatcher  # noqa: E402
from campaigns.mail.outbox import Draft, enqueue_many  # noqa: E402
from campaigns.mail.transports.base import OutgoingEmail  # noqa: E402
from campaigns.mail.transports.keepalive import sendgrid_client  # noqa: E402
from campaigns.mail.transports.sendgrid_api import SendGridTransport, mail_for  # noqa: E402
from crm.db import engine_for  # noqa: E402
from crm.setting_values import SendWindow  # noqa: E402

MESSAGES = 10_000
ROUNDS = 3
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
HTML = "<p>Dear Dr. Rivera,</p>" + "<p>Thank you for your referrals this season.</p>" * 40
CONFIG = DispatchConfig(
    from_email="outreach@clinic.example.com",
    from_name="Summit Sports Medicine",
    window=SendWindow.parse("Mon-Fri 08:00-18:00"),
    frequency_cap=3,
    max_attempts=8,
    batch_size=500,
    unsubscribe_url=lambda email, key: f"https://clinic.example.com/unsubscribe/{key}",
)


def start_server() -> tuple[subprocess.Popen, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "sendgrid_local", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    server.stdout.readline()
    return server, port


def local(port: int, method: str, path: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path)
    body = connection.getresponse().read()
    connection.close()
    return json.loads(body) if body else {}


def drafts(prefix: str) -> list[Draft]:
    return [
        Draft(
            idempotency_key=f"{prefix}:{n}",
            kind="cadence",
            to_email=f"partner{n}@example.com",
            to_name="Dr. Rivera",
            template="partner_check_in",
            subject="Spring referral update",
            html=HTML,
            text="Thank you.",
        )
        for n in range(MESSAGES)
    ]


def dispatch_rate(port: int, prefix: str) -> float:
    with fresh_database("sqlite") as url:
        engine = engine_for(url)
        with Session(engine) as session:
            enqueue_many(session, drafts(prefix), NOW)
            session.commit()
        host = f"http://127.0.0.1:{port}"
        dispatcher = Dispatcher(
            engine,
            lambda: SendGridTransport(sendgrid_client("SG.bench", host)),
            CONFIG,
            lambda: NOW,
        )
        with Stopwatch() as watch:
            report = dispatcher.run_pass()
        dispatcher.close()
    if report.sent != MESSAGES:
        raise SystemExit(f"sent {report.sent} of {MESSAGES}: {report}")
    return MESSAGES / watch.seconds


def bare_rate(port: int, prefix: str) -> float:
    bodies = [
        json.dumps(
            mail_for(
                OutgoingEmail(
                    message_id=n,
                    idempotency_key=f"{prefix}:{n}",
                    kind="cadence",
                    to_email=f"partner{n}@example.com",
                    to_name="Dr. Rivera",
                    from_email=CONFIG.from_email,
                    from_name=CONFIG.from_name,
                    subject="Spring referral update",
                    html=HTML,
                    text="Thank you.",
                    unsubscribe_url=f"https://clinic.example.com/unsubscribe/{prefix}:{n}",
                )
            ).get()
        ).encode()
        for n in range(MESSAGES)
    ]
    headers = {"Authorization": "Bearer SG.bench", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    with Stopwatch() as watch:
        for body in bodies:
            connection.request("POST", "/v3/mail/send", body, headers)
            response = connection.getresponse()
            response.read()
            if response.status != 202:
                raise SystemExit(f"bare client got {response.status}")
    connection.close()
    return MESSAGES / watch.seconds


def main() -> None:
    """Rounds of the dispatcher then the bare client, each round on its own fresh keys:
    the share is the median of the rounds' own shares, so a burst of other work on the
    machine moves one round, not the figure."""
    server, port = start_server()
    dispatched, bare = [], []
    try:
        for round_ in range(ROUNDS):
            dispatched.append(dispatch_rate(port, f"dispatch{round_}"))
            bare.append(bare_rate(port, f"bare{round_}"))
        counts = local(port, "GET", "/_local/received")["deliveries_by_key"]
        if len(counts) != 2 * ROUNDS * MESSAGES or set(counts.values()) != {1}:
            raise SystemExit(f"expected every key delivered once, got {len(counts)} keys")
    finally:
        server.terminate()
        server.wait()
    shares = [100 * d / b for d, b in zip(dispatched, bare)]
    report_value("dispatch_msgs_per_s", statistics.median(dispatched), "msg/s")
    report_value("dispatch_bare_client_msgs_per_s", statistics.median(bare), "msg/s")
    report_value("dispatch_share_of_bare_pct", statistics.median(shares), "%")


if __name__ == "__main__":
    main()
