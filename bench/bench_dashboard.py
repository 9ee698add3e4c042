"""How long the leadership pages take at the issue's scale and at five times it (a health
system): 20,000 partners and 500,000 referrals over three years, with a year of
outreach on top (cadence enrolments, events with attendees, seasonal sends and 150,000
sent emails with their SendGrid events), then 100,000 partners, 2,500,000 referrals and
750,000 emails.

For each analytics page, all the queries the page runs (with the filter bar's widest
usual period, the last 12 full months) are timed together; the figure is the median of
three runs after a warm-up. Prints, per database (`_sqlite`, `_postgres`):
`BENCH dashboard_max_query_s` (1x, the slowest page's queries; target under 0.5 s),
`BENCH dashboard_5x_max_query_s` (target under 1 s), `BENCH dashboard_growth_5x` (the
slowest page at 5x over the same page at 1x; target at most 2) and
`BENCH dashboard_data_5x_s` (generating the 5x data; target under 180 s); then
`BENCH dashboard_page_cold_s`, the slowest page rendered by AppTest in a fresh session
(nothing cached) at 5x on SQLite (target under 1.5 s), and `BENCH summaries_rebuild_5x_s`
(`crm.referral_counts.rebuild_summaries`, all of them, at 5x)."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from common import ROOT, backends, fresh_database, report_value
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm import settings as settings_module
from crm.analytics.filters import Filters
from crm.db import engine_for
from crm.models import (
    Cadence,
    CadenceStep,
    Contact,
    Enrolment,
    Event,
    EventInvitee,
    Partner,
    PartnerStatusChange,
    User,
)
from crm.referral_counts import rebuild_summaries
from crm.users import hash_password
from crm.vocab import MessageStatus
from liaison.demo import seed_demo
from liaison.demo.bulk import insert_tables, loading
from liaison.demo.generate import Table
from ui.analytics_filters import period_for

PARTNERS = 20_000
REFERRALS = 500_000
MESSAGES = 150_000
SCALES = (1, 5)
RUNS = 3
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)  # the pages read the real clock
ZONE = ZoneInfo("America/New_York")
VIEWER = "bench.viewer@practice.test"
PASSWORD = "bench viewer password"
PERIOD = "Last 12 full months"
SUFFIX = {"sqlite": "sqlite", "postgresql": "postgres"}


def add_outreach(engine: Engine, scale: int = 1) -> None:
    """A year of programs and email, inserted directly (the planner's own cost is
    measured elsewhere): what the outreach, dormancy and email pages read. The emails
    go in through the demo's bulk loader (COPY on PostgreSQL)."""
    rng = random.Random(7)
    with Session(engine) as session:
        partner_ids = session.scalars(select(Partner.id).order_by(Partner.id)).all()
        contacts = session.execute(
            select(Contact.id, Contact.partner_id, Contact.email)
            .where(Contact.email.is_not(None))
            .order_by(Contact.id)
        ).all()
        session.add(
            User(
                email=VIEWER,
                name="Bench Viewer",
                role="viewer",
                password_hash=hash_password(PASSWORD),
                created_at=NOW,
            )
        )
        cadences = [
            Cadence(name=f"Bench cadence {n}", purpose=purpose, created_at=NOW, updated_at=NOW)
            for n, purpose in enumerate(("prospecting", "nurture", "win_back"))
        ]
        session.add_all(cadences)
        session.flush()
        enrolments = []
        for cadence in cadences:
            for partner_id in rng.sample(partner_ids, 2_000 * scale):
                at = NOW - timedelta(days=rng.randint(1, 365))
                enrolments.append(
                    {
                        "cadence_id": cadence.id,
                        "partner_id": partner_id,
                        "status": "completed",
                        "exit_reason": "",
                        "source": "rule",
                        "enrolled_at": at,
                        "anchor_at": at,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
        session.execute(insert(Enrolment), enrolments)
        invitees = []
        for n in range(40 * scale):
            starts = NOW - timedelta(days=rng.randint(1, 365))
            event = Event(
                title=f"Bench lunch-and-learn {n}",
                kind="lunch_and_learn",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                status="scheduled",
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(event)
            session.flush()
            for contact_id, partner_id, _ in rng.sample(contacts, 60):
                invitees.append(
                    {
                        "event_id": event.id,
                        "contact_id": contact_id,
                        "partner_id": partner_id,
                        "rsvp": "yes",
                        "attended": rng.random() < 0.7,
                        "invited_at": starts - timedelta(days=14),
                    }
                )
        session.execute(insert(EventInvitee), invitees)
        dormant = [
            {
                "partner_id": p,
                "at": NOW - timedelta(days=rng.randint(1, 365)),
                "from_status": "referral_source",
                "to_status": "dormant",
                "cause": "rule",
                "detail": "",
            }
            for p in rng.sample(partner_ids, 1_500 * scale)
        ]
        session.execute(insert(PartnerStatusChange), dormant)
        sources = _sources(session, [c.id for c in cadences])
        session.commit()
    with loading(engine) as connection:
        insert_tables(
            connection,
            [_messages(contacts, sources, MESSAGES * scale)],
            lambda line: print(f"# {line}", flush=True),
        )
    if engine.dialect.name == "postgresql":
        # The visibility map too, so the covering indexes answer without the table.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")


def _sources(session: Session, cadence_ids: list[int]) -> list[str]:
    steps = [
        CadenceStep(
            cadence_id=cadence_id,
            position=position,
            action="email",
            template="partner_intro",
            created_at=NOW,
            updated_at=NOW,
        )
        for cadence_id in cadence_ids
        for position in range(3)
    ]
    session.add_all(steps)
    session.flush()
    return [f"cadence step {s.id}" for s in steps] + [
        f"seasonal 2026 {season} {phase}-season"
        for season in ("fall", "spring")
        for phase in ("pre", "mid")
    ]


def _messages(contacts: list[Any], sources: list[str], count: int) -> Table:
    """Sent emails over the last 400 days, round the contacts with an address: 97%
    delivered, about a third opened, a few clicks, as columns for the bulk loader."""
    rng = np.random.default_rng(7)
    pick = np.arange(count) % len(contacts)
    contact_ids = np.array([c[0] for c in contacts], dtype=np.int64)[pick]
    partner_ids = np.array([c[1] for c in contacts], dtype=np.int64)[pick]
    emails = np.array([c[2] for c in contacts], dtype=object)[pick]
    now_us = np.datetime64(NOW.replace(tzinfo=None), "us")
    sent = (
        now_us
        - rng.integers(1, 401, count) * np.timedelta64(1, "D")
        - rng.integers(0, 601, count) * np.timedelta64(1, "m")
    )
    source = np.array(sources, dtype=object)[rng.integers(0, len(sources), count)]
    kind = np.array([s.split()[0] for s in source.tolist()], dtype=object)
    delivered = rng.random(count) < 0.97
    opened = delivered & (rng.random(count) < 0.35)
    nat = np.datetime64("NaT", "us")
    seconds, minutes, hours = (np.timedelta64(n, u) for n, u in ((5, "s"), (1, "m"), (2, "h")))
    keys = np.char.add("bench-", np.arange(count).astype(str)).astype(object)
    return Table(
        "message",
        {
            "idempotency_key": keys,
            "kind": kind,
            "transactional": np.zeros(count, dtype=bool),
            "to_email": emails,
            "to_name": np.full(count, "", dtype=object),
            "contact_id": contact_ids,
            "partner_id": partner_ids,
            "source": source,
            "template": np.full(count, "partner_intro", dtype=object),
            "subject": np.full(count, "Hello", dtype=object),
            "html": np.full(count, "<p>Hello</p>", dtype=object),
            "text": np.full(count, "Hello", dtype=object),
            "attachments": np.full(count, "", dtype=object),
            "timezone": np.full(count, "America/New_York", dtype=object),
            "status": np.full(count, MessageStatus.SENT.value, dtype=object),
            "attempts": np.ones(count, dtype=np.int64),
            "next_attempt_at": sent,
            "provider": np.full(count, "sendgrid", dtype=object),
            "provider_message_id": np.char.add("bench", np.arange(count).astype(str)).astype(
                object
            ),
            "last_error": np.full(count, "", dtype=object),
            "created_at": sent,
            "updated_at": sent,
            "sent_at": sent,
            "delivered_at": np.where(delivered, sent + seconds, nat),
            "bounced_at": np.where(delivered, nat, sent + seconds),
            "opened_at": np.where(opened & (rng.random(count) < 0.8), sent + hours, nat),
            "machine_opened_at": np.where(opened & (rng.random(count) < 0.2), sent + minutes, nat),
            "clicked_at": np.where(
                opened & (rng.random(count) < 0.25), sent + np.timedelta64(3, "h"), nat
            ),
        },
    )


def pages(session: Session, settings: Any) -> dict[str, Callable[[], Any]]:
    """Each analytics page's queries, as the page runs them."""
    from crm.analytics import (
        concentration,
        dormancy,
        engagement,
        funnel,
        monthly,
        outreach,
        overview,
        story,
        timing,
    )

    filters = Filters(period=period_for(PERIOD, NOW.astimezone(ZONE).date()), zone=ZONE)
    targets = timing.Targets.from_settings(settings)
    busiest = session.execute(select(Partner.id).order_by(Partner.id).limit(1)).scalar_one()
    return {
        "overview": lambda: (
            overview.headline(session, filters),
            monthly.referrals_by_partner_month(session, filters),
            concentration.concentration(session, filters),
        ),
        "funnel": lambda: (
            funnel.overall(funnel.funnel(session, filters, by="partner_type")),
            funnel.lost_by_reason(session, filters),
            timing.timings(session, filters, targets, NOW, by="location"),
        ),
        "outreach": lambda: outreach.program_conversion(session, filters, NOW, 90),
        "dormancy": lambda: dormancy.at_risk(session, filters, NOW, settings),
        "email": lambda: engagement.email_rates(session, filters, "program"),
        "partner story": lambda: story.partner_story(session, busiest, NOW),
    }


def time_pages(engine: Engine, settings: Any) -> dict[str, tuple[float, float]]:
    """Per page, the median wall seconds of its queries and the CPU seconds this process
    spent in them (on SQLite the queries' own work, whatever else the machine runs)."""
    results = {}
    with Session(engine) as session:
        for name, run in pages(session, settings).items():
            run()
            times = []
            for _ in range(RUNS):
                started, cpu = time.perf_counter(), time.process_time()
                run()
                times.append((time.perf_counter() - started, time.process_time() - cpu))
            results[name] = (
                statistics.median(t for t, _ in times),
                statistics.median(c for _, c in times),
            )
    return results


def page_cold_seconds(url: str, page: str) -> float:
    """A fresh AppTest session (no Streamlit cache), signed in as a viewer, opening the
    page on the same period as the queries above; only the page's own run is timed, not
    the sign-in."""
    from streamlit.testing.v1 import AppTest

    os.environ.update(
        LIAISON_DATABASE_URL=url, LIAISON_SECRET_KEY="bench-secret-key", LIAISON_TIMEZONE=ZONE.key
    )
    settings_module.get.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.text_input(key="sign_in_email").input(VIEWER)
    at.text_input(key="sign_in_password").input(PASSWORD)
    at = at.button(key="sign_in_submit").click().run()
    at.session_state["_analytics_filters"] = {"period": PERIOD}  # as if chosen on an earlier page
    started = time.perf_counter()
    at = at.switch_page(page).run()
    seconds = time.perf_counter() - started
    if at.exception or not at.title or at.title[0].value != TITLES[page]:
        raise SystemExit(f"{page} did not render: {at.exception or [t.value for t in at.title]}")
    return seconds


TITLES = {
    "ui/pages/analytics_overview.py": "Overview",
    "ui/pages/analytics_funnel.py": "Referral funnel",
    "ui/pages/analytics_outreach.py": "Outreach results",
    "ui/pages/analytics_dormancy.py": "Dormancy alerts",
    "ui/pages/analytics_email.py": "Email engagement",
}
PAGE_FILES = {
    "overview": "ui/pages/analytics_overview.py",
    "funnel": "ui/pages/analytics_funnel.py",
    "outreach": "ui/pages/analytics_outreach.py",
    "dormancy": "ui/pages/analytics_dormancy.py",
    "email": "ui/pages/analytics_email.py",
}


def generate(engine: Engine, scale: int) -> tuple[float, float]:
    """Seconds to load the data at `scale` times the issue's figures, and this process's
    CPU seconds in them (far fewer when other work shares the machine's cores)."""
    started, cpu = time.perf_counter(), time.process_time()
    seed_demo(
        engine, partners=PARTNERS * scale, years=3, seed=1, now=NOW, referrals=REFERRALS * scale
    )
    add_outreach(engine, scale)
    return time.perf_counter() - started, time.process_time() - cpu


def rebuild_seconds(engine: Engine) -> float:
    """All referral summaries rebuilt from the base tables."""
    started = time.perf_counter()
    rebuild_summaries(engine)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, action="append", choices=SCALES)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    scales = args.scale or list(SCALES)
    cold: dict[str, float] = {}
    rebuild: float | None = None
    for backend in args.backend or backends():
        suffix = SUFFIX[backend]
        slowest: dict[int, dict[str, float]] = {}
        for scale in scales:
            with fresh_database(backend) as url:
                engine = engine_for(url)
                seconds, cpu = generate(engine, scale)
                print(
                    f"# {backend} {scale}x: data generated in {seconds:.0f} s"
                    f" ({cpu:.0f} s of this process's CPU)",
                    flush=True,
                )
                if scale == 5:
                    report_value(f"dashboard_data_5x_s_{suffix}", seconds, "s")
                    rebuilt = rebuild_seconds(engine)
                    print(f"# {backend} summaries rebuilt in {rebuilt:.1f} s", flush=True)
                    rebuild = rebuilt if rebuild is None or backend == "sqlite" else rebuild
                settings = settings_module.Settings(database_url=url, timezone=ZONE.key)
                results = time_pages(engine, settings)
                slowest[scale] = {name: wall for name, (wall, _) in results.items()}
                for name, (wall, cpu) in results.items():
                    print(f"# {backend} {scale}x {name}: {wall:.3f} s for all its queries", end="")
                    print(f" ({cpu:.3f} s CPU)" if backend == "sqlite" else "", flush=True)
                scaled = "" if scale == 1 else f"{scale}x_"
                worst = max(slowest[scale].values())
                report_value(f"dashboard_{scaled}max_query_s_{suffix}", worst, "s")
                if backend == "sqlite" and scale == 5:
                    for name, path in PAGE_FILES.items():
                        cold[name] = page_cold_seconds(url, path)
                        print(f"# sqlite 5x {name} page (AppTest, cold): {cold[name]:.2f} s")
                engine.dispose()
        if set(SCALES) <= set(slowest):
            page = max(slowest[5], key=slowest[5].__getitem__)
            print(f"# {backend}: slowest page at 5x is {page}", flush=True)
            report_value(f"dashboard_growth_5x_{suffix}", slowest[5][page] / slowest[1][page], "x")
    if cold:
        report_value("dashboard_page_cold_s", max(cold.values()), "s")
    if rebuild is not None:
        report_value("summaries_rebuild_5x_s", rebuild, "s")


if __name__ == "__main__":
    sys.exit(main())
