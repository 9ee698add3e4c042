"""How long the leadership pages take at the issue's scale: 20,000 partners and
500,000 referrals over three years, with a year of outreach on top (cadence
enrolments, events with attendees, seasonal sends and 150,000 sent emails with their
SendGrid events).

For each analytics page, all the queries the page runs (with the filter bar's widest
usual period, the last 12 full months) are timed together; the figure is the median of
three runs after a warm-up. Prints, per database, `BENCH dashboard_max_query_s_sqlite`
and `BENCH dashboard_max_query_s_postgres` (the slowest page's queries; the target is
under 1 s), then `BENCH dashboard_page_cold_s`: the slowest page rendered by AppTest in
a fresh session (nothing cached), on SQLite, target under 3 s."""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from common import ROOT, backends, fresh_database, report_value
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm import settings as settings_module
from crm.analytics.filters import Filters
from crm.db import engine_for
from crm.models import (
    Cadence,
    Contact,
    Enrolment,
    Event,
    EventInvitee,
    Message,
    Partner,
    PartnerStatusChange,
    User,
)
from crm.users import hash_password
from crm.vocab import MessageStatus
from liaison.demo import seed_demo
from ui.analytics_filters import period_for

PARTNERS = 20_000
REFERRALS = 500_000
MESSAGES = 150_000
RUNS = 3
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)  # the pages read the real clock
ZONE = ZoneInfo("America/New_York")
VIEWER = "bench.viewer@practice.test"
PASSWORD = "bench viewer password"
PERIOD = "Last 12 full months"
NAMES = {"sqlite": "dashboard_max_query_s_sqlite", "postgresql": "dashboard_max_query_s_postgres"}


def add_outreach(engine: Engine) -> None:
    """A year of programs and email, inserted directly (the planner's own cost is
    measured elsewhere): what the outreach, dormancy and email pages read."""
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
            for partner_id in rng.sample(partner_ids, 2_000):
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
        for n in range(40):
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
            for p in rng.sample(partner_ids, 1_500)
        ]
        session.execute(insert(PartnerStatusChange), dormant)
        session.execute(
            insert(Message), list(_messages(rng, contacts, [c.id for c in cadences], session))
        )
        session.commit()
        if engine.dialect.name == "postgresql":
            session.connection().exec_driver_sql("ANALYZE")
            session.commit()


def _messages(rng: random.Random, contacts: list[Any], cadence_ids: list[int], session: Session):  # type: ignore[no-untyped-def]
    from crm.models import CadenceStep

    steps = []
    for cadence_id in cadence_ids:
        for position in range(3):
            step = CadenceStep(
                cadence_id=cadence_id,
                position=position,
                action="email",
                template="partner_intro",
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(step)
            steps.append(step)
    session.flush()
    sources = [f"cadence step {s.id}" for s in steps] + [
        f"seasonal 2026 {season} {phase}-season"
        for season in ("fall", "spring")
        for phase in ("pre", "mid")
    ]
    for n in range(MESSAGES):
        contact_id, partner_id, email = contacts[n % len(contacts)]
        sent = NOW - timedelta(days=rng.randint(1, 400), minutes=rng.randint(0, 600))
        source = rng.choice(sources)
        delivered = rng.random() < 0.97
        opened = delivered and rng.random() < 0.35
        yield {
            "idempotency_key": f"bench-{n}",
            "kind": source.split()[0],
            "transactional": False,
            "to_email": email,
            "to_name": "",
            "contact_id": contact_id,
            "partner_id": partner_id,
            "source": source,
            "template": "partner_intro",
            "subject": "Hello",
            "html": "<p>Hello</p>",
            "text": "Hello",
            "attachments": "",
            "timezone": "America/New_York",
            "status": MessageStatus.SENT.value,
            "attempts": 1,
            "next_attempt_at": sent,
            "provider": "sendgrid",
            "provider_message_id": f"bench{n}",
            "last_error": "",
            "created_at": sent,
            "updated_at": sent,
            "sent_at": sent,
            "delivered_at": sent + timedelta(seconds=5) if delivered else None,
            "bounced_at": None if delivered else sent + timedelta(seconds=5),
            "opened_at": sent + timedelta(hours=2) if opened and rng.random() < 0.8 else None,
            "machine_opened_at": sent + timedelta(minutes=1)
            if opened and rng.random() < 0.2
            else None,
            "clicked_at": sent + timedelta(hours=3) if opened and rng.random() < 0.25 else None,
        }


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


def time_pages(engine: Engine, settings: Any) -> dict[str, float]:
    results = {}
    with Session(engine) as session:
        for name, run in pages(session, settings).items():
            run()
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                run()
                times.append(time.perf_counter() - started)
            results[name] = statistics.median(times)
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


def main() -> None:
    cold: dict[str, float] = {}
    for backend in backends():
        with fresh_database(backend) as url:
            engine = engine_for(url)
            started = time.perf_counter()
            seed_demo(engine, partners=PARTNERS, years=3, seed=1, now=NOW, referrals=REFERRALS)
            add_outreach(engine)
            print(
                f"# {backend}: data generated in {time.perf_counter() - started:.0f} s", flush=True
            )
            settings = settings_module.Settings(database_url=url, timezone=ZONE.key)
            results = time_pages(engine, settings)
            for name, seconds in results.items():
                print(f"# {backend} {name}: {seconds:.3f} s for all its queries", flush=True)
            report_value(NAMES[backend], max(results.values()), "s")
            if backend == "sqlite":
                for name, path in PAGE_FILES.items():
                    cold[name] = page_cold_seconds(url, path)
                    print(f"# sqlite {name} page (AppTest, cold): {cold[name]:.2f} s", flush=True)
            engine.dispose()
    report_value("dashboard_page_cold_s", max(cold.values()), "s")


if __name__ == "__main__":
    sys.exit(main())
