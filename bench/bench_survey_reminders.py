"""How long the survey reminder pass takes with two years of quarterly surveys on file
(400,000 requests) and nothing due: the scheduler runs it every hour, so its cost must
follow what is due (ix_survey_request_due), not the history.

    .venv/bin/python bench/bench_survey_reminders.py

prints `BENCH survey_reminders_idle_400k_ms <ms> ms` (SQLite) and, when
LIAISON_BENCH_POSTGRES_URL is set, `BENCH survey_reminders_idle_400k_ms_postgres <ms> ms`:
the median of 20 passes."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from common import backends, fresh_database, report_value  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from campaigns.surveys.sending import send_reminders  # noqa: E402
from crm.db import engine_for, session_scope  # noqa: E402
from crm.models import Contact, Partner, SurveyRequest  # noqa: E402
from crm.settings import Settings  # noqa: E402

PARTNERS, CONTACTS_EACH, QUARTERS = 10_000, 5, 8
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
SETTINGS = Settings(_env_file=None, secret_key="bench-secret-key")


def fill(url: str) -> None:
    """Eight quarters of requests for 50,000 contacts: the old ones answered or reminded,
    this quarter's sent three days ago (not due yet)."""
    engine = engine_for(url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("PRAGMA synchronous=OFF"))
        connection.execute(
            insert(Partner),
            [
                {
                    "name": f"Partner {n}",
                    "partner_type": "primary_care",
                    "tier": "B",
                    "status": "engaged",
                    "match_key": f"partner {n}",
                    "notes": "",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(PARTNERS)
            ],
        )
        connection.execute(
            insert(Contact),
            [
                {
                    "partner_id": 1 + n // CONTACTS_EACH,
                    "first_name": f"Pat{n}",
                    "role": "office_manager",
                    "email": f"c{n}@partner.example.org",
                    "notes": "",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(PARTNERS * CONTACTS_EACH)
            ],
        )
        for q in range(QUARTERS):
            sent = NOW - timedelta(days=3 + 91 * q)
            year, quarter = divmod(2026 * 4 + 3 - q, 4)
            rows = [
                {
                    "contact_id": 1 + n,
                    "partner_id": 1 + n // CONTACTS_EACH,
                    "quarter": f"{year}-Q{quarter + 1}",
                    "message_key": f"survey:{year}-Q{quarter + 1}:{1 + n}",
                    "sent_at": sent,
                    "answered_at": sent + timedelta(days=2) if q and n % 2 else None,
                    "reminded_at": sent + timedelta(days=7) if q and not n % 2 else None,
                    "comment": "",
                }
                for n in range(PARTNERS * CONTACTS_EACH)
            ]
            for start in range(0, len(rows), 20_000):
                connection.execute(insert(SurveyRequest), rows[start : start + 20_000])
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def main() -> None:
    for backend in backends():
        with fresh_database(backend) as url:
            fill(url)
            engine = engine_for(url)
            timings = []
            for _ in range(20):
                started = time.perf_counter()
                with session_scope(engine) as session:
                    assert send_reminders(session, SETTINGS, NOW) == 0
                timings.append((time.perf_counter() - started) * 1000)
            suffix = "" if backend == "sqlite" else "_postgres"
            report_value(f"survey_reminders_idle_400k_ms{suffix}", statistics.median(timings), "ms")


if __name__ == "__main__":
    main()
