"""The Outreach results page: every role reads each program's conversion against
comparable partners, with the lift charted and the table to download, and is told when
the period is too recent to judge or reached nobody."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, time, timedelta

from crm import clock
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_user
from tests.outreach_data import introduction_cadence, partners, seasonal_sent
from ui.analytics_filters import period_for
from ui.shell import PAGES

PAGE = str(PAGES / "analytics_outreach.py")
YEAR = "Last 12 full months"


def eight_months_ago() -> datetime:
    """The 10th of a month well inside the last 12 full months, whose 90 days have passed."""
    start = period_for(YEAR, clock.now().date()).start
    month = start.month + 3
    day = start.replace(year=start.year + (month - 1) // 12, month=(month - 1) % 12 + 1, day=10)
    return datetime.combine(day, time(16), tzinfo=UTC)


def page_for(session, role: str = "viewer", period: str = YEAR):  # type: ignore[no-untyped-def]
    make_user(session, email="lee@practice.test", role=role)
    at = signed_in("lee@practice.test").switch_page(PAGE).run()
    at = at.selectbox(key="outreach_period").select(period).run()
    assert not at.exception, at.exception
    return at


def test_a_viewer_reads_each_programs_conversion_against_comparable_partners(app_database, session):
    introduction_cadence(session, eight_months_ago())
    table = page_for(session).dataframe[0].value
    row = table.iloc[0]
    assert (
        row["Kind"],
        row["Program"],
        row["Reached"],
        row["Measured"],
        row["Began referring"],
    ) == ("Cadence", "New-partner introduction", 3, 3, 2)
    assert (row["Comparable partners"], row["Comparable rate"]) == (5, "50.0%")
    assert row["Verdict"] == "too few partners to tell"


def test_cadences_and_seasonal_sends_share_the_table_with_their_ids_as_text(app_database, session):
    """A seasonal send is named by its source, a cadence by its number: one column of
    text, so Streamlit shows the table as it is instead of logging a failed conversion."""
    when = eight_months_ago()
    program = introduction_cadence(session, when)
    seasonal_sent(
        session,
        partners(session, 2, partner_type="school"),
        when,
        source=f"seasonal {when.year} spring pre-season",
    )
    failures: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = failures.append  # type: ignore[method-assign]
    streamlit_log = logging.getLogger("streamlit.dataframe_util")
    streamlit_log.addHandler(handler)
    try:
        table = page_for(session).dataframe[0].value
    finally:
        streamlit_log.removeHandler(handler)
    assert list(zip(table["Kind"], table["Program id"])) == [
        ("Cadence", str(program.id)),
        ("Seasonal send", f"seasonal {when.year} spring pre-season"),
    ]
    assert [r.getMessage() for r in failures if "Serialization" in r.getMessage()] == []


def test_the_lift_is_explained_charted_with_its_interval_and_downloadable(app_database, session):
    introduction_cadence(session, eight_months_ago())
    at = page_for(session)
    assert "95% confidence interval" in texts(at)
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    marks = [layer["mark"]["type"] for layer in json.loads(charts[0].proto.spec)["layer"]]
    assert marks == ["rule", "rule", "point"]  # zero, the interval, the lift


def test_a_program_with_no_one_measured_yet_shows_dashes_for_its_rates(app_database, session):
    introduction_cadence(session, clock.now() - timedelta(days=20))
    row = page_for(session, period="Month to date").dataframe[0].value.iloc[0]
    assert (row["Measured"], row["Rate"], row["Lift"]) == (0, "—", "—")


def test_a_period_too_recent_to_judge_suggests_a_longer_one(app_database, session):
    at = page_for(session, period="Month to date")
    assert "pick a longer or earlier period" in texts(at)


def test_a_period_no_program_reached_says_so(app_database, session):
    at = page_for(session, role="marketer")
    assert "No cadence, event or seasonal send reached a partner in this period." in texts(at)
    assert not at.dataframe and not at.get("download_button")
