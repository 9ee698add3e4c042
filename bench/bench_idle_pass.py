"""How long a dispatcher pass takes when nothing is due, with a million messages in
the outbox: the scheduler's cost must grow with what is due, not with the table.

    .venv/bin/python bench/bench_idle_pass.py

prints `BENCH idle_pass_1m_ms <ms> ms` (SQLite) and, when LIAISON_BENCH_POSTGRES_URL
is set, `BENCH idle_pass_1m_ms_postgres <ms> ms`: the median of 20 passes."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from common import backends, fresh_database, report_value  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from campaigns.mail.dispatch import DispatchConfig, Dispatcher  # noqa: E402
from crm.db import engine_for  # noqa: E402
from crm.models import Message  # noqa: E402
from crm.setting_values import SendWindow  # noqa: E402
from crm.vocab import MessageStatus  # noqa: E402

MESSAGES = 1_000_000
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def fill(url: str) -> None:
    """A year of history: mostly sent, some failed/suppressed/cancelled, and a queue of
    messages due later (so the queued index is not empty)."""
    engine = engine_for(url)
    statuses = (
        [MessageStatus.SENT.value] * 90
        + [MessageStatus.FAILED.value] * 3
        + [MessageStatus.SUPPRESSED.value] * 3
        + [MessageStatus.CANCELLED.value] * 2
        + [MessageStatus.QUEUED.value] * 2
    )
    batch = []
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("PRAGMA synchronous=OFF"))
        for n in range(MESSAGES):
            status = statuses[n % len(statuses)]
            created = NOW - timedelta(minutes=MESSAGES - n)
            batch.append(
                {
                    "idempotency_key": f"bench:{n}",
                    "kind": "cadence",
                    "transactional": False,
                    "to_email": f"contact{n % 40_000}@partner.example.org",
                    "to_name": "",
                    "source": "",
                    "template": "partner_check_in",
                    "subject": "Checking in",
                    "html": "<p>Hi</p>",
                    "text": "Hi",
                    "attachments": "",
                    "timezone": "America/New_York",
                    "status": status,
                    "attempts": 1,
                    "next_attempt_at": NOW + timedelta(days=1)
                    if status == MessageStatus.QUEUED.value
                    else created,
                    "provider": "",
                    "last_error": "",
                    "created_at": created,
                    "updated_at": created,
                    "sent_at": created if status == MessageStatus.SENT.value else None,
                }
            )
            if len(batch) == 20_000:
                connection.execute(insert(Message), batch)
                batch = []
        if batch:
            connection.execute(insert(Message), batch)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def idle_pass_ms(url: str) -> float:
    config = DispatchConfig(
        from_email="outreach@example.com",
        from_name="Bench",
        window=SendWindow.parse("Mon-Fri 08:00-18:00"),
        frequency_cap=3,
        max_attempts=8,
    )
    dispatcher = Dispatcher(engine_for(url), _no_transport, config, lambda: NOW)
    try:
        dispatcher.run_pass()
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            report = dispatcher.run_pass()
            timings.append((time.perf_counter() - started) * 1000)
            assert report.claimed == 0
        return statistics.median(timings)
    finally:
        dispatcher.close()


def _no_transport():  # type: ignore[no-untyped-def]
    raise AssertionError("an idle pass must not send")


def main() -> None:
    for backend in backends():
        with fresh_database(backend) as url:
            fill(url)
            suffix = "" if backend == "sqlite" else "_postgres"
            report_value(f"idle_pass_1m_ms{suffix}", idle_pass_ms(url), "ms")


if __name__ == "__main__":
    main()
