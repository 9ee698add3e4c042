"""End to end in a real headless Chromium: the app started as `make run` starts it, a
marketer signs in, narrows the directory and opens a partner."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from crm import migrate
from crm.db import engine_for
from tests.browser import Page, browser, running_app, screenshot_on_failure  # noqa: F401
from tests.factories import PASSWORD, make_contact, make_partner, make_touch, make_user
from ui.routes import SESSION_COOKIE

pytestmark = pytest.mark.browser


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A fresh SQLite file, migrated and seeded through the domain's factories."""
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    migrate.upgrade(url)
    with Session(engine_for(url), expire_on_commit=False) as session:
        make_user(session, email="maria@practice.test", name="Maria Lopez", role="marketer")
        elm = make_partner(session, name="Elm Family Medicine", partner_type="primary_care")
        make_contact(session, elm, first_name="Jordan", last_name="Reyes")
        pt = make_partner(
            session, name="Elm Street Physical Therapy", partner_type="physical_therapy"
        )
        make_contact(session, pt, first_name="Casey", last_name="Nguyen", role="physical_therapist")
        make_touch(session, pt, outcome="Dropped off referral pads")
        make_partner(session, name="Oak Orthopedics", partner_type="orthopedics")
    engine_for(url).dispose()
    return url


def test_a_marketer_signs_in_filters_the_directory_and_opens_a_partner(database, browser, tmp_path):
    with (
        running_app(database, tmp_path / "app.log") as base,
        screenshot_on_failure(browser, tmp_path),
    ):
        browser.get(base)
        page = Page(browser)

        page.sign_in("maria@practice.test", PASSWORD)
        page.wait_for_heading("Partners")
        page.wait_for_text("3 partners", "strong")
        assert "Maria Lopez" in page.body_text()

        page.type("Search", "elm", enter=True)
        page.wait_for_text("2 partners", "strong")
        page.choose("Type", "Physical therapy")
        page.wait_for_text("1 partner", "strong")

        page.choose("Open a partner", "Elm Street Physical Therapy")
        page.wait_for_heading("Elm Street Physical Therapy")
        page.wait_for_text("Casey Nguyen", "th")
        assert "Physical therapist" in page.body_text()
        assert "Jordan Reyes" not in page.body_text()


def test_a_reload_keeps_a_marketer_signed_in_until_she_signs_out(database, browser, tmp_path):
    with (
        running_app(database, tmp_path / "app.log") as base,
        screenshot_on_failure(browser, tmp_path),
    ):
        browser.get(base)
        page = Page(browser)
        page.sign_in("maria@practice.test", PASSWORD)
        page.wait_for_heading("Partners")
        page.wait.until(lambda driver: driver.get_cookie(SESSION_COOKIE))

        browser.refresh()
        page.wait_for_heading("Partners")
        assert "Maria Lopez" in page.body_text()

        page.click_button("Sign out")
        page.text_input("Email")
        page.wait.until(lambda driver: driver.get_cookie(SESSION_COOKIE) is None)

        browser.refresh()
        page.text_input("Email")
        assert "Maria Lopez" not in page.body_text()
