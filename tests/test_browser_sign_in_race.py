"""Guesses from many browser sessions at once, through the running app as `make run`
starts it: eight tabs' worth of Chromium press "Sign in" with a wrong password at the
same moment; at most five are checked, the rest are told the account is locked."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlmodel import Session

from crm import migrate
from crm.db import engine_for
from crm.users import MAX_FAILED_SIGN_INS
from tests.browser import Page, chromium, missing_browser, running_app
from tests.factories import make_user

pytestmark = pytest.mark.browser

BROWSERS = 8
WRONG = "Wrong email or password."


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    migrate.upgrade(url)
    with Session(engine_for(url), expire_on_commit=False) as session:
        make_user(session, email="maria@practice.test")
    engine_for(url).dispose()
    return url


def _answer(page: Page) -> str:
    page.wait.until(
        lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="stAlertContentError"]')
    )
    return page.driver.find_element(
        By.CSS_SELECTOR, '[data-testid="stAlertContentError"]'
    ).text.strip()


def test_parallel_wrong_guesses_from_many_browsers_are_checked_at_most_five_times(
    database, tmp_path
):
    problem = missing_browser()
    if problem:
        pytest.fail(problem)
    with running_app(database, tmp_path / "app.log") as base:
        with ThreadPoolExecutor(BROWSERS) as pool:
            drivers = list(
                pool.map(lambda n: chromium(tmp_path / f"profile-{n}", 900, 700), range(BROWSERS))
            )
        try:
            pages = [Page(d) for d in drivers]
            for page in pages:
                page.driver.get(base)
                page.type("Email", "maria@practice.test")
                page.type("Password", "not-her-password")
            together = threading.Barrier(BROWSERS)

            def press(page: Page) -> str:
                together.wait()
                page.click_button("Sign in")
                return _answer(page)

            with ThreadPoolExecutor(BROWSERS) as pool:
                answers = list(pool.map(press, pages))
        finally:
            for driver in drivers:
                driver.quit()
    assert answers.count(WRONG) <= MAX_FAILED_SIGN_INS, answers
    assert sum("locked" in a for a in answers) >= BROWSERS - MAX_FAILED_SIGN_INS, answers
