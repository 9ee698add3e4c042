"""The Email engagement page: every role reads the rates of the email sent last month,
grouped as asked, with their downloads and chart, and is told when there is nothing
to read or the webhook never reported."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from crm import clock
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.engagement_helpers import make_message
from tests.factories import make_partner, make_user
from ui.analytics_filters import period_for
from ui.shell import PAGES

PAGE = str(PAGES / "analytics_email.py")


def last_month(day: int) -> datetime:
    """A moment on `day` of the page's default period, the last full month."""
    today = clock.now().date()
    start = period_for("Last full month", today).start
    return datetime.combine(start + timedelta(days=day - 1), time(15), tzinfo=UTC)


def page_for(session, role: str = "viewer"):  # type: ignore[no-untyped-def]
    make_user(session, email="lee@practice.test", role=role)
    at = signed_in("lee@practice.test").switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def some_email(session) -> None:  # type: ignore[no-untyped-def]
    partner = make_partner(session).id
    make_message(
        session,
        "seasonal",
        "seasonal 2026 fall pre-season",
        last_month(3),
        partner,
        delivered=True,
        opened=True,
    )
    make_message(
        session,
        "seasonal",
        "seasonal 2026 fall pre-season",
        last_month(3),
        partner,
        delivered=True,
        machine=True,
    )
    make_message(session, "review", "review request 1", last_month(10), bounced=True)


def test_a_viewer_reads_the_rates_by_program(app_database, session):
    some_email(session)
    table = page_for(session).dataframe[0].value
    assert list(
        zip(
            table["Program"],
            table["Sent"],
            table["Opened"],
            table["Apple privacy opens"],
            table["Bounced"],
        )
    ) == [("Seasonal education", 2, 1, 1, 0), ("Patient reviews", 1, 0, 0, 1)]


def test_grouping_by_month_gives_one_row_for_the_month(app_database, session):
    some_email(session)
    at = page_for(session)
    at = at.selectbox(key="email_group_by").select("month").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(zip(table["Month"], table["Sent"])) == [(f"{last_month(1):%Y-%m}", 3)]


def test_the_table_downloads_as_csv_and_excel_under_a_chart(app_database, session):
    some_email(session)
    at = page_for(session)
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"]
    assert len(at.get("vega_lite_chart")) == 1


def test_apple_privacy_opens_are_explained_as_machines(app_database, session):
    some_email(session)
    assert "machines, not people" in texts(page_for(session))


def test_a_period_without_email_says_so(app_database, session):
    at = page_for(session)
    assert "No email was sent in this period." in texts(at) and not at.dataframe


def test_email_without_webhook_events_says_where_the_figures_come_from(app_database, session):
    make_message(
        session,
        "seasonal",
        "seasonal 2026 fall pre-season",
        last_month(3),
        make_partner(session).id,
    )
    assert "with the file or SMTP transport they stay empty" in texts(page_for(session))
