"""The Overview page: October 2026 of the practice in tests/analytics_data.py, as a
viewer reads it."""
from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.analytics_data import practice
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_user

PAGE = "ui/pages/analytics_overview.py"


def october(session) -> AppTest:  # type: ignore[no-untyped-def]
    make_user(session, email="viv@practice.test", role="viewer")
    at = signed_in("viv@practice.test").switch_page(PAGE).run()
    at.selectbox(key="overview_period").set_value("Custom").run()
    at = at.date_input(key="overview_custom").set_value((date(2026, 10, 1), date(2026, 10, 31))).run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(m for m in at.metric if m.label == label)


def test_a_viewer_sees_the_headline_figures_against_the_month_before(app_database, session):
    practice(session)
    at = october(session)
    referrals = metric(at, "Referrals")
    assert (referrals.value, referrals.delta) == ("7", "+133%")
    assert metric(at, "Median days to first appointment").value == "10.0"
    assert metric(at, "Referrals from the top 20% of referring partners").value == "43%"


def test_the_partners_are_listed_by_month(app_database, session):
    practice(session)
    table = october(session).dataframe[1].value
    assert list(zip(table["partner"], table["2026-10"])) == [
        ("Harbor Primary Care", 3), ("Summit Orthopedics", 2), ("Bay Physical Therapy", 1), ("Lakeside School", 1)]


def test_choosing_a_partner_type_changes_the_figures(app_database, session):
    practice(session)
    at = october(session).multiselect(key="overview_types").select("primary_care").run()
    assert not at.exception, at.exception
    assert metric(at, "Referrals").value == "3"


def test_every_table_can_be_downloaded(app_database, session):
    practice(session)
    at = october(session)
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"] * 3


def test_an_empty_database_says_there_is_nothing_to_show_yet(app_database, session):
    at = october(session)
    assert "No referrals were received in October 2026" in texts(at)
    assert metric(at, "Referrals").value == "0"
