"""The Patient reviews page: the numbers by location and month, a location's review
page (editors set it) and its front-desk QR code."""

from __future__ import annotations

from sqlmodel import select

from campaigns.reviews.planner import run_review_pass
from crm.models import Location
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_user
from tests.review_helpers import REVIEW_PAGE, clinic, mark_sent, settings, visited

PAGE = "ui/pages/reviews.py"


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role=role)
    at = signed_in("maria@practice.test").switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_requests_are_shown_by_location_and_month(app_database, session, now):
    visited(session, location=clinic(session, name="Main Street"))
    run_review_pass(session, settings(), now)
    session.commit()
    mark_sent(session, now)
    table = page_for(session).dataframe[0].value
    assert list(zip(table["Month"], table["Location"], table["Sent"], table["Clicked"])) == [
        ("2026-11", "Main Street", 1, 0)
    ]


def test_an_editor_sets_a_location_review_page(app_database, session):
    location = clinic(session, name="Main Street", review_url="")
    at = page_for(session)
    at.text_input[0].input("https://g.page/r/main/review")
    at = at.button[0].click().run()
    session.expire_all()
    assert session.exec(select(Location.review_url).where(Location.id == location.id)).one() == (
        "https://g.page/r/main/review"
    )
    assert "Saved the review page of Main Street" in texts(at)


def test_a_location_with_a_review_page_offers_its_printable_qr_page(app_database, session):
    clinic(session, name="Main Street")
    at = page_for(session)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the printable page", "Download the QR code (SVG)"]
    assert "/r/" in texts(at)


def test_a_location_without_a_review_page_says_its_patients_are_not_asked(app_database, session):
    clinic(session, name="Main Street", review_url="")
    assert "its patients are not asked" in texts(page_for(session))


def test_a_viewer_reads_the_review_page_but_cannot_change_it(app_database, session):
    clinic(session, name="Main Street")
    at = page_for(session, role="viewer")
    assert not at.text_input and REVIEW_PAGE in texts(at)
