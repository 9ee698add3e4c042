"""End to end in a real headless Chromium: a viewer signs in, opens the leadership
overview, narrows it to one partner type and downloads the table as CSV. A screenshot
of every analytics page is kept as an artifact (artifacts/screenshots/, or
$LIAISON_TEST_ARTIFACTS), so a person can see what leadership sees."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from crm import migrate
from crm.db import engine_for
from liaison.demo import DEFAULT_PASSWORD
from liaison.demo.places import LEADERSHIP
from tests.browser import Page, allow_downloads, browser, running_app, screenshot_on_failure  # noqa: F401
from tests.conftest import NOW, ROOT
from tests.factories import PASSWORD, make_partner, make_referral, make_touch, make_user

pytestmark = pytest.mark.browser

ANALYTICS_PAGES = {
    "overview": "Overview",
    "funnel": "Referral funnel",
    "outreach-results": "Outreach results",
    "dormancy": "Dormancy alerts",
    "email-engagement": "Email engagement",
}


def artifacts() -> Path:
    folder = Path(os.environ.get("LIAISON_TEST_ARTIFACTS", ROOT / "artifacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _last_month_days() -> list[datetime]:
    first = NOW.replace(day=1, hour=15, minute=0, second=0, microsecond=0)
    previous = (first - timedelta(days=1)).replace(day=1)
    return [previous + timedelta(days=d) for d in (2, 5, 9, 14)]


@pytest.fixture
def database(tmp_path: Path) -> str:
    """Last month: Elm Family Medicine sent three referrals, Oak Orthopedics one."""
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    migrate.upgrade(url)
    with Session(engine_for(url), expire_on_commit=False) as session:
        make_user(session, email="lee@practice.test", name="Lee Chen", role="viewer")
        elm = make_partner(
            session, name="Elm Family Medicine", partner_type="primary_care", tier="A"
        )
        oak = make_partner(session, name="Oak Orthopedics", partner_type="orthopedics", tier="A")
        days = _last_month_days()
        for day in days[:3]:
            make_referral(session, elm, day, contacted_at=day + timedelta(hours=3))
        make_referral(session, oak, days[3])
        make_touch(session, elm, days[0] - timedelta(days=1))
    engine_for(url).dispose()
    return url


def test_a_viewer_narrows_the_overview_and_downloads_it_as_csv(database, browser, tmp_path):
    downloads = allow_downloads(browser, tmp_path / "downloads")
    with (
        running_app(database, tmp_path / "app.log") as base,
        screenshot_on_failure(browser, tmp_path),
    ):
        browser.get(base)
        page = Page(browser)
        page.sign_in("lee@practice.test", PASSWORD)
        page.wait_for_heading("Partners")

        browser.get(f"{base}/overview")
        page.wait_for_heading("Overview")
        page.wait_for_metric("Referrals", "4")
        browser.save_screenshot(str(artifacts() / "overview.png"))

        page.pick("Partner type", "Orthopedics")
        page.wait_for_metric("Referrals", "1")
        page.wait_until_idle()
        browser.save_screenshot(str(artifacts() / "overview-orthopedics.png"))

        page.click_button("CSV")
        saved = page.wait_for_download(downloads, ".csv")
        rows = {
            r["metric"]: r
            for r in csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig")))
        }
        assert rows["Referrals"]["current"] == "1"
        assert rows["Active referral sources"]["current"] == "1"


@pytest.fixture
def demo_database(tmp_path: Path) -> str:
    """The demo practice `make run` starts with, seeded by the same command."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    migrate.upgrade(url)
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": url,
        "LIAISON_SECRET_KEY": "browser-test-key",
        "LIAISON_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    subprocess.run(
        [str(ROOT / ".venv/bin/crm"), "demo", "seed", "--partners", "300"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return url


def test_every_analytics_page_opens_for_leadership_and_is_kept_as_a_screenshot(
    demo_database, browser, tmp_path
):
    with (
        running_app(demo_database, tmp_path / "app.log") as base,
        screenshot_on_failure(browser, tmp_path),
    ):
        browser.get(base)
        page = Page(browser)
        page.sign_in(LEADERSHIP[1], DEFAULT_PASSWORD)
        page.wait_for_heading("Partners")
        browser.set_window_size(1400, 3800)  # the whole page in one picture
        for path, heading in ANALYTICS_PAGES.items():
            browser.get(f"{base}/{path}")
            page.wait_for_heading(heading)
            page.wait_until_idle()
            assert "Traceback" not in page.body_text() and "Error" not in page.headings()
            browser.save_screenshot(str(artifacts() / f"{path}.png"))
