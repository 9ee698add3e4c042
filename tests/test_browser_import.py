"""End to end in a real headless Chromium, against the app as `make run` starts it: a
marketer uploads a partner list with a column Liaison does not know, maps it, drops
another, reads the preview and imports; next month's file, with the same headers, maps
itself without asking."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from sqlmodel import Session, select

from crm import migrate
from crm.db import engine_for
from crm.models import Partner
from tests.browser import Page, browser, running_app, screenshot_on_failure  # noqa: F401
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

HEADERS = "Practice Name,Type,E-Fax,Notes,Referral Volume\r\n"
OCTOBER = HEADERS + (
    "Elm Family Medicine,primary care,617 555 0100,Ask for Dana,12\r\n"
    "Oak Street PT,physical therapy,617 555 0101,Fridays only,3\r\n"
)
NOVEMBER = HEADERS + (
    "Elm Family Medicine,primary care,617 555 0100,Ask for Dana,14\r\n"
    "Harbor Urgent Care,urgent care,617 555 0102,New this month,1\r\n"
)


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    migrate.upgrade(url)
    with Session(engine_for(url), expire_on_commit=False) as session:
        make_user(session, email="maria@practice.test", name="Maria Lopez", role="marketer")
    engine_for(url).dispose()
    return url


def _upload(browser: WebDriver, page: Page, path: Path) -> None:
    """Give the file to the uploader as a person picking it in the file dialog would,
    and wait until the page has read it (its columns are listed)."""
    field = page.wait.until(
        ec.presence_of_element_located(
            (By.CSS_SELECTOR, '[data-testid="stFileUploader"] input[type="file"]')
        )
    )
    field.send_keys(str(path))
    page.wait.until(
        lambda _d: browser.find_elements(
            By.XPATH,
            f'//*[@data-testid="stFileUploader"]'
            f'//*[@title="{path.name}" or normalize-space()="{path.name}"]',
        )
    )


def _chosen(browser: WebDriver, label: str) -> str:
    """What the selectbox labelled `label` shows (read even while its section is folded)."""
    box = browser.find_element(By.CSS_SELECTOR, f'input[role="combobox"][aria-label="{label}"]')
    return box.get_attribute("value") or ""


def _first_rows(browser: WebDriver) -> list[list[str]]:
    """The mapping step's table of first rows, its header first, as the grid's
    accessible table holds it (the grid itself is drawn on a canvas)."""
    [table] = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"] table')[:1]
    return [
        [cell.get_attribute("textContent") for cell in row.find_elements(By.XPATH, "./th|./td")]
        for row in table.find_elements(By.TAG_NAME, "tr")
    ]


def _shows_first_rows(browser: WebDriver, expected: list[list[str]]) -> bool:
    try:
        return _first_rows(browser) == expected
    except (ValueError, StaleElementReferenceException):
        return False


def _partners(url: str) -> dict[str, tuple[str, str]]:
    with Session(engine_for(url)) as session:
        return {p.name: (p.fax, p.notes) for p in session.exec(select(Partner))}


def _preview_and_commit(page: Page, new: str, updated: str, done: str) -> None:
    page.wait_until_idle()
    page.click_button("Preview import")
    page.wait_for_text("Preview: 2 rows read", "strong")
    page.wait_for_metric("New", new)
    page.wait_for_metric("Updated", updated)
    page.wait_for_metric("Rejected", "0")
    page.click_button("Commit import")
    page.wait_for_text(done, "p")


def test_a_marketer_maps_a_partner_file_once_and_next_months_file_maps_itself(
    database, browser, tmp_path
):
    october, november = tmp_path / "partners-october.csv", tmp_path / "partners-november.csv"
    october.write_text(OCTOBER)
    november.write_text(NOVEMBER)
    with (
        running_app(database, tmp_path / "app.log") as base,
        screenshot_on_failure(browser, tmp_path),
    ):
        browser.get(base)
        page = Page(browser)
        page.sign_in("maria@practice.test", PASSWORD)
        page.wait_for_heading("Partners")
        browser.get(f"{base}/data")
        page.wait_for_heading("Import & export")

        # The first file: E-Fax is unknown, so it goes nowhere until mapped; Notes maps
        # itself and is dropped.
        _upload(browser, page, october)
        page.wait_for_text(
            "First rows, by the field each column goes to, as they will be stored", "strong"
        )
        assert _chosen(browser, "E-Fax") == "don't import"
        assert _chosen(browser, "Referral Volume") == "don't import"
        assert _chosen(browser, "Notes") == "notes"
        page.choose("E-Fax", "fax")
        page.wait.until(lambda _d: _chosen(browser, "E-Fax") == "fax")
        page.choose("Notes", "don't import")
        page.wait.until(lambda _d: _chosen(browser, "Notes") == "don't import")
        page.wait.until(
            lambda _d: _shows_first_rows(
                browser,
                [
                    ["name", "partner_type", "fax"],
                    ["Elm Family Medicine", "primary_care", "+16175550100"],
                    ["Oak Street PT", "physical_therapy", "+16175550101"],
                ],
            )
        )
        _preview_and_commit(
            page, "2", "0", "Imported partners: 2 new, 0 updated, 0 unchanged, 0 skipped."
        )
        assert _partners(database) == {
            "Elm Family Medicine": ("+16175550100", ""),
            "Oak Street PT": ("+16175550101", ""),
        }

        # Next month's file: the same headers, mapped as before without a question.
        _upload(browser, page, november)
        page.wait_for_text("Columns mapped as for the last file with these headers.", "p")
        assert [_chosen(browser, h) for h in ("E-Fax", "Notes", "Referral Volume")] == [
            "fax",
            "don't import",
            "don't import",
        ]
        _preview_and_commit(
            page, "1", "0", "Imported partners: 1 new, 0 updated, 1 unchanged, 0 skipped."
        )
        assert _partners(database)["Harbor Urgent Care"] == ("+16175550102", "")
        assert len(_partners(database)) == 3
