"""A replica for the leadership figures (LIAISON_ANALYTICS_DATABASE_URL): the analytics
pages and the monthly report read from it, while sign-in, the outbox and everything
else still write to the main database. The replica here is a second database of the
same kind (a second SQLite file, or a second database on the PostgreSQL server) holding
different rows, so where a figure came from shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns.reports.job import send_month
from campaigns.reports.mail import report_email
from crm import clock, migrate
from crm.analytics.filters import Period
from crm.db import engine_for
from crm.dbadmin import empty_all_tables, throwaway_postgres_database
from crm.models import Message, UserSession
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.conftest import postgres_requested
from tests.engagement_helpers import make_message
from tests.factories import make_partner, make_referral, make_user
from tests.test_report_job import DUE, SETTINGS
from ui.analytics_filters import period_for
from ui.shell import PAGES

EMAIL_PAGE = str(PAGES / "analytics_email.py")
OCTOBER = Period.month(2026, 10)


@pytest.fixture(scope="module")
def replica_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('replica') / 'replica.db'}"
        migrate.upgrade(url)
        yield url
        engine_for(url).dispose()
        return
    with throwaway_postgres_database(postgres_requested() or "", "liaison_replica") as url:
        yield url


@pytest.fixture
def replica(replica_url: str) -> Iterator[Engine]:
    engine = engine_for(replica_url)
    yield engine
    empty_all_tables(engine)


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def last_month_at(day: int) -> datetime:
    start = period_for("Last full month", clock.now().date()).start
    return datetime.combine(start + timedelta(days=day - 1), time(15), tzinfo=UTC)


def test_the_email_page_reads_the_replica_and_signing_in_writes_to_the_main_database(
    app_database, session, replica, monkeypatch
):
    monkeypatch.setenv(
        "LIAISON_ANALYTICS_DATABASE_URL", replica.url.render_as_string(hide_password=False)
    )
    with Session(replica, expire_on_commit=False) as on_replica:
        partner = make_partner(on_replica).id
        make_message(
            on_replica,
            "seasonal",
            "seasonal 2026 fall pre-season",
            last_month_at(3),
            partner,
            delivered=True,
        )
    make_user(session, email="lee@practice.test", role="viewer")

    at = signed_in("lee@practice.test").switch_page(EMAIL_PAGE).run()

    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(zip(table["Program"], table["Sent"])) == [("Seasonal education", 1)]
    assert (count(app_database, UserSession), count(replica, UserSession)) == (1, 0)
    assert "No email" not in texts(at)


def test_the_email_page_reads_the_main_database_when_no_replica_is_set(app_database, session):
    make_message(session, "review", "review request 1", last_month_at(4), delivered=True)
    make_user(session, email="lee@practice.test", role="viewer")

    table = signed_in("lee@practice.test").switch_page(EMAIL_PAGE).run().dataframe[0].value

    assert list(zip(table["Program"], table["Sent"])) == [("Patient reviews", 1)]


def test_the_monthly_report_reads_its_figures_from_the_replica_and_queues_on_the_main(
    session, replica
):
    settings = SETTINGS.model_copy(
        update={"analytics_database_url": replica.url.render_as_string(hide_password=False)}
    )
    with Session(replica, expire_on_commit=False) as on_replica:
        source = make_partner(on_replica, name="Harbor Family Practice")
        for day in (5, 12, 19):
            make_referral(on_replica, source, datetime(2026, 10, day, 15, tzinfo=UTC))
        from_replica = report_email(on_replica, SETTINGS, OCTOBER, DUE)
    from_main = report_email(session, SETTINGS, OCTOBER, DUE)
    make_user(session, email="erin@practice.test", role="viewer", monthly_report=True)

    assert send_month(session, settings, OCTOBER, DUE) == 1
    session.commit()

    [queued] = session.execute(select(Message)).scalars().all()
    assert queued.text == from_replica.text != from_main.text
    assert "Harbor Family Practice" in queued.html
    assert count(replica, Message) == 0
