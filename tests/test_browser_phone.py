"""End to end on a phone's screen (390 x 844) in a real headless Chromium, against the
app as `make run` starts it: a liaison leaving a practice opens My week, completes the
visit there with its outcome and a note in one tap, and the touch is on the partner's
timeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from sqlmodel import Session

from crm import migrate
from crm.db import engine_for
from crm.tasks import TaskInput, create_task
from tests.browser import Page, chromium, missing_browser, running_app, screenshot_on_failure
from tests.conftest import NOW
from tests.factories import PASSWORD, make_contact, make_partner, make_user

pytestmark = pytest.mark.browser

TODAY = date(2026, 11, 25)  # NOW's day in the practice's zone: the app runs at NOW too
WIDTH, HEIGHT = 390, 844
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
OUTCOME = "Met Dr. Reyes, wants new referral pads"
NOTE = "Front desk asked for the ankle protocol"


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    migrate.upgrade(url)
    with Session(engine_for(url), expire_on_commit=False) as session:
        liaison = make_user(session, email="sam@practice.test", name="Sam Ortiz", role="marketer")
        elm = make_partner(session, name="Elm Family Medicine", city="Newton")
        contact = make_contact(session, elm, first_name="Jordan", last_name="Reyes")
        create_task(
            session,
            liaison,
            TaskInput(
                kind="visit",
                partner_id=elm.id,
                contact_id=contact.id,
                due_on=TODAY,
                assigned_to=liaison.id,
                title="Lunch-and-learn follow-up",
            ),
            NOW,
        )
        session.commit()
    engine_for(url).dispose()
    return url


@pytest.fixture
def phone(tmp_path: Path) -> Iterator[WebDriver]:
    problem = missing_browser()
    if problem:
        pytest.fail(problem)
    driver = chromium(tmp_path / "chromium-profile", width=WIDTH, height=HEIGHT)
    # Headless Chromium keeps a window at least 500 px wide; a phone's screen is emulated.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 3, "mobile": True},
    )
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})
    driver.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": PHONE_AGENT})
    try:
        yield driver
    finally:
        driver.quit()


def test_a_liaison_completes_a_visit_from_my_week_on_a_phone(database, phone, tmp_path):
    with (
        running_app(database, tmp_path / "app.log") as base,
        screenshot_on_failure(phone, tmp_path),
    ):
        phone.get(base)
        page = Page(phone)
        page.text_input("Email")
        assert phone.execute_script("return window.innerWidth") == WIDTH
        page.sign_in("sam@practice.test", PASSWORD)
        page.wait_for_heading("Partners")

        _open_from_menu(page, "My week")
        page.wait_for_heading("My week")
        page.wait_for_text("Today (1)")
        # The phone keyboard's Go after the outcome must not complete it without the note.
        page.type("Outcome", OUTCOME, enter=True)
        page.type("Notes", NOTE)
        _tap_in_view(page, "Done")
        page.wait_for_text("Done: Elm Family Medicine. Logged as a visit.")
        page.wait_for_text("Today (0)")

        _open_from_menu(page, "Partners")
        page.wait_for_heading("Partners")
        page.wait_for_text("1 partner", "strong")
        _tap_option(page, "Open a partner", "Elm Family Medicine")
        page.wait_for_heading("Elm Family Medicine")
        page.wait.until(
            ec.element_to_be_clickable((By.XPATH, '//*[@role="tab"][.//p[.="Timeline (1)"]]'))
        ).click()
        cell = page.wait.until(
            ec.visibility_of_element_located((By.XPATH, f'//td[contains(., "{OUTCOME}")]'))
        )
        assert NOTE in cell.text


def _open_from_menu(page: Page, title: str) -> None:
    """On a phone the page list hides behind the menu button, as Streamlit lays it out."""
    page.wait.until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stExpandSidebarButton"]'))
    ).click()
    page.wait.until(
        ec.element_to_be_clickable(
            (
                By.XPATH,
                f'//a[@data-testid="stSidebarNavLink"][.//span[normalize-space()="{title}"]]',
            )
        )
    ).click()


def _tap_option(page: Page, label: str, option: str) -> None:
    """A selectbox on a phone opens its list over the page: tap the box, then the option."""
    page.wait.until(
        ec.element_to_be_clickable(
            (By.CSS_SELECTOR, f'input[role="combobox"][aria-label="{label}"]')
        )
    ).click()
    page.wait.until(
        ec.element_to_be_clickable((By.XPATH, f'//*[@role="option"][normalize-space()="{option}"]'))
    ).click()


def _tap_in_view(page: Page, label: str) -> None:
    """A tap lands only on a button inside the phone's width, as a finger's would."""
    button = page.wait.until(
        ec.element_to_be_clickable((By.XPATH, f'//button[.//p[normalize-space()="{label}"]]'))
    )
    page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    box = button.rect
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    button.click()
