"""The demo's sent email has the engagement SendGrid's Event Webhook would have
reported: plausible rates, stored as events, never later than now and never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from crm.analytics.engagement import email_rates
from crm.analytics.filters import Filters, Period
from crm.models import EmailEvent, Message, ReviewRequest, Suppression
from crm.settings import Settings
from liaison.demo import seed_demo
from liaison.demo.engagement import seed_engagement
from liaison.demo.outreach import seed_outreach
from liaison.demo.programs import seed_programs

SETTINGS = Settings(_env_file=None, secret_key="test-secret-key")


@pytest.fixture
def stored(engine, now) -> int:
    seed_demo(engine, partners=150, years=1, seed=3, now=now)
    seed_outreach(engine, SETTINGS, now=now)
    seed_programs(engine, SETTINGS, now=now)
    return seed_engagement(engine, now=now)


def _count(session, table, *where) -> int:
    return session.exec(select(func.count()).select_from(table).where(*where)).one()


def _totals(session, now):
    today = now.astimezone(SETTINGS.zone).date()
    table = email_rates(
        session,
        Filters(Period(today - timedelta(days=90), today + timedelta(days=1)), zone=SETTINGS.zone),
        "program",
    )
    return table[["sent", "delivered", "opened", "machine_opens", "clicked", "bounced"]].sum()


def test_demo_email_has_plausible_rates(session, stored, now):
    """About 97% delivered, 2% bounced, 35% of delivered opened by people, a fifth of
    opens Apple's prefetch alone, 8% clicked: bounds are four standard deviations wide
    for the few hundred emails of a small demo."""
    t = _totals(session, now)
    assert t.sent > 300
    assert 0.94 <= t.delivered / t.sent < 1
    assert 0 < t.bounced / t.sent <= 0.05
    assert 0.26 <= t.opened / t.delivered <= 0.44
    assert 0.09 <= t.machine_opens / (t.opened + t.machine_opens) <= 0.31
    assert 0.03 <= t.clicked / t.delivered <= 0.13


def test_every_outcome_is_kept_as_a_webhook_event(session, stored):
    assert (
        stored
        == _count(
            session,
            EmailEvent,
            EmailEvent.sg_event_id.startswith("demo-"),
            EmailEvent.message_id.is_not(None),
        )
        > 0
    )
    assert _count(session, Message, Message.delivered_at.is_not(None)) == _count(
        session, EmailEvent, EmailEvent.event == "delivered"
    )
    assert _count(session, Message, Message.machine_opened_at.is_not(None)) == _count(
        session, EmailEvent, EmailEvent.event == "open", EmailEvent.machine_open.is_(True)
    )


def test_no_event_happened_after_now(session, stored, now):
    assert _count(session, EmailEvent, EmailEvent.at > now) == 0


def test_a_click_always_follows_a_persons_open(session, stored):
    assert (
        _count(
            session,
            Message,
            Message.clicked_at.is_not(None),
            (Message.opened_at.is_(None)) | (Message.clicked_at < Message.opened_at),
        )
        == 0
    )


def test_bounced_addresses_are_suppressed_as_the_webhook_does(session, stored):
    bounced = session.exec(select(Message.to_email).where(Message.bounced_at.is_not(None))).all()
    suppressed = session.exec(select(Suppression.email)).all()
    assert bounced and {e.lower() for e in bounced} <= {e.lower() for e in suppressed}


def test_patients_opening_their_review_email_open_the_request(session, stored):
    assert _count(session, ReviewRequest, ReviewRequest.opened_at.is_not(None)) > 0


def test_a_second_run_reports_nothing_new(engine, session, stored, now):
    assert seed_engagement(engine, now=now) == 0
    assert _count(session, EmailEvent) == stored
