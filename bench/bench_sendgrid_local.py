"""Throughput of the local SendGrid (`sendgrid_local`): 10,000 valid sends, each with
its own idempotency key, from one keep-alive client; the target is at least 1,000
messages a second on a 2-core machine.

Measured twice: with the server on a thread of this process (how the test fixture
runs it, sharing one interpreter lock with the client) and in its own process
(`python -m sendgrid_local`, how a staging worker or a benchmark would use it).
Prints `BENCH sendgrid_local_10k_thread <n> msg/s` and `..._process`; each run also
checks that every key was recorded exactly once."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from typing import Any

from common import ROOT, Stopwatch, report_value

from sendgrid_local import LocalServer

SENDS = 10_000
AUTH = {"Authorization": "Bearer SG.bench", "Content-Type": "application/json"}
HTML = "<p>Dear Dr. Rivera,</p>" + "<p>Thank you for your referrals this season.</p>" * 40


def message(n: int) -> bytes:
    """A Liaison-shaped message: ids in the personalization, one-click unsubscribe."""
    return json.dumps(
        {
            "personalizations": [
                {
                    "to": [{"email": f"partner{n}@example.com", "name": "Dr. Rivera"}],
                    "custom_args": {"message_id": str(n), "message_key": f"key-{n}"},
                }
            ],
            "from": {"email": "outreach@clinic.example.com", "name": "Clinic"},
            "subject": "Spring referral update",
            "content": [
                {"type": "text/plain", "value": "Thank you."},
                {"type": "text/html", "value": HTML},
            ],
            "categories": ["partner-outreach"],
            "asm": {"group_id": 42},
            "headers": {
                "List-Unsubscribe": "<https://clinic.example.com/u/abc>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        }
    ).encode()


def push(port: int) -> float:
    """Seconds for SENDS sends on one connection; any answer but 202 stops the run."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    with Stopwatch() as watch:
        for n in range(SENDS):
            connection.request("POST", "/v3/mail/send", message(n), AUTH)
            response = connection.getresponse()
            response.read()
            if response.status != 202:
                raise SystemExit(f"send {n} answered {response.status}")
    connection.close()
    return watch.seconds


def check_once_each(by_key: dict[str, Any]) -> None:
    if len(by_key) != SENDS or set(by_key.values()) != {1}:
        raise SystemExit(f"expected {SENDS} keys delivered once each, got {len(by_key)} keys")


def in_thread() -> float:
    with LocalServer() as server:
        seconds = push(int(server.url.rsplit(":", 1)[1]))
        check_once_each(server.deliveries_by_key())
    return seconds


def in_process() -> float:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "sendgrid_local", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        server.stdout.readline()  # the "listening" line
        seconds = push(port)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/_local/received")
        check_once_each(json.loads(connection.getresponse().read())["deliveries_by_key"])
        return seconds
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    report_value("sendgrid_local_10k_thread", SENDS / in_thread(), "msg/s")
    report_value("sendgrid_local_10k_process", SENDS / in_process(), "msg/s")


if __name__ == "__main__":
    main()
