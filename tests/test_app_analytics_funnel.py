"""The Referral funnel page: October 2026 of tests/funnel_data.py, as a viewer reads it."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_user
from tests.funnel_data import funnel_data

PAGE = "ui/pages/analytics_funnel.py"


def october(session) -> AppTest:  # type: ignore[no-untyped-def]
    make_user(session, email="viv@practice.test", role="viewer")
    at = signed_in("viv@practice.test").switch_page(PAGE).run()
    at.selectbox(key="funnel_period").set_value("Custom").run()
    at = at.date_input(key="funnel_custom").set_value((date(2026, 10, 1), date(2026, 10, 31))).run()
    assert not at.exception, at.exception
    return at


def test_a_viewer_sees_the_funnel_of_the_period(app_database, session):
    funnel_data(session)
    at = october(session)
    table = at.dataframe[0].value
    assert list(table.iloc[0][["Received", "Contacted", "Scheduled", "First visit", "Lost"]]) == [
        6,
        4,
        2,
        2,
        2,
    ]
    assert "2 lost; 33% of received came for a first visit" in texts(at)


def test_changing_the_breakdown_changes_the_table(app_database, session):
    funnel_data(session)
    at = october(session)
    assert list(at.dataframe[1].value["Partner type"]) == [
        "Physical therapy",
        "Primary care",
        "Orthopedics",
    ]
    at = at.selectbox(key="funnel_by").set_value("Location").run()
    assert not at.exception, at.exception
    assert list(at.dataframe[1].value["Location"]) == ["Main Street", "Riverside", "(no location)"]


def test_lost_referrals_are_shown_by_reason(app_database, session):
    funnel_data(session)
    table = october(session).dataframe[2].value
    assert list(zip(table["Reason"], table["Referrals"])) == [
        ("(no reason given)", 1),
        ("Chose another clinic", 1),
    ]


def test_time_to_stage_is_shown_for_each_location_or_partner_type(app_database, session):
    funnel_data(session)
    at = october(session)
    table = at.dataframe[3].value
    assert list(table["Location"].unique()) == ["(no location)", "Main Street", "Riverside"]
    assert "counting only the referrals that reached the stage" in texts(at)
    at = at.selectbox(key="funnel_timing_by").set_value("Each partner type").run()
    assert not at.exception, at.exception
    assert list(at.dataframe[3].value["Partner type"].unique()) == [
        "Orthopedics",
        "Physical therapy",
        "Primary care",
    ]


def test_the_targets_are_stated_in_words_with_the_breaches(app_database, session):
    funnel_data(session)
    at = october(session)
    assert (
        "first contact within 1 business day, scheduled within 3 business days and first visit within "
        "10 business days"
    ) in texts(at)
    counts = at.dataframe[4].value
    assert list(zip(counts["Breached"], counts["Judged"])) == [(2, 5), (3, 4), (2, 4)]
    by_channel = at.dataframe[5].value
    assert list(by_channel["Channel"].unique()) == ["(no channel)"]
    assert list(zip(by_channel["Breached"], by_channel["Judged"])) == [(2, 5), (3, 4), (2, 4)]
    assert len(at.dataframe[6].value) == 7


def test_a_stage_still_to_come_reads_as_a_dash_in_the_breach_list(app_database, session):
    funnel_data(session)
    breaches = october(session).dataframe[6].value
    assert "None" not in set(breaches["Happened"])
    assert "—" in set(breaches["Happened"])
    assert all(
        h == "—" or h[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        for h in breaches["Happened"]
    )


def test_every_table_can_be_downloaded(app_database, session):
    funnel_data(session)
    at = october(session)
    assert len(at.dataframe) == 7
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"] * 7


def test_an_empty_period_says_there_is_nothing_to_follow(app_database, session):
    at = october(session)
    assert "No referrals were received in October 2026" in texts(at)
    assert not at.dataframe
