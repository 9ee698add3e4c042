"""End to end in a real headless Chromium with no network at all (no name but the
machine's resolves, and any other address goes to a dead proxy): the Partner map draws
its points with the street map's tiles unreachable (deck.gl in software WebGL); with
the street map off, the page asks nothing of any host but the app's; and clicking a
point opens that partner."""

from __future__ import annotations

import io
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from sqlmodel import Session

from crm import migrate
from crm.db import engine_for
from tests.browser import (
    OFFLINE,
    SOFTWARE_WEBGL,
    Page,
    chromium,
    missing_browser,
    requests_made,
    running_app,
    screenshot_on_failure,
)
from tests.factories import PASSWORD, make_partner, make_user
from ui.pages.partner_map import STATUS_COLOURS

pytestmark = pytest.mark.browser

# Three partners far enough apart to be three separate points, each its own colour.
PARTNERS = {
    "Pittsfield Family Medicine": ("01201", "engaged"),
    "Worcester Sports PT": ("01608", "referral_source"),
    "Hyannis Urgent Care": ("02601", "dormant"),
}
LOCAL = {"127.0.0.1", "localhost"}


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    migrate.upgrade(url)
    with Session(engine_for(url), expire_on_commit=False) as session:
        make_user(session, email="lee@practice.test", name="Lee Chen", role="viewer")
        for name, (zip_code, status) in PARTNERS.items():
            make_partner(session, name=name, zip=zip_code, status=status, city="")
    engine_for(url).dispose()
    return url


@pytest.fixture
def offline_browser(tmp_path: Path):  # type: ignore[no-untyped-def]
    problem = missing_browser()
    if problem:
        pytest.fail(problem)
    driver = chromium(tmp_path / "chromium-profile", height=1400, extra=OFFLINE + SOFTWARE_WEBGL)
    try:
        yield driver
    finally:
        driver.quit()


def map_canvas(driver: WebDriver):  # type: ignore[no-untyped-def]
    return Page(driver).wait.until(
        ec.visibility_of_element_located(
            (By.CSS_SELECTOR, '[data-testid="stDeckGlJsonChart"] canvas')
        )
    )


def colour_spots(canvas) -> dict[tuple[int, int, int], tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Where on the canvas each partner's status colour shows (its pixels' centre). A
    point's fill is drawn at 210/255 opacity over white (or tiles), so a pixel near the
    colour blended so counts."""
    image = np.asarray(Image.open(io.BytesIO(canvas.screenshot_as_png)).convert("RGB"), int)
    spots = {}
    for status in {status for _, status in PARTNERS.values()}:
        colour = STATUS_COLOURS[status]
        blended = np.array([c * 210 / 255 + 255 * 45 / 255 for c in colour])
        ys, xs = np.nonzero(np.abs(image - blended).sum(axis=2) < 40)
        if len(xs) > 10:
            spots[colour] = (int(xs.mean()), int(ys.mean()))
    return spots


def wait_for_points(driver: WebDriver, canvas, count: int):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 20
    spots = {}
    while time.monotonic() < deadline:
        spots = colour_spots(canvas)
        if len(spots) >= count:
            return spots
        time.sleep(0.5)
    raise AssertionError(f"the map drew {len(spots)} of {count} points")


def hosts_reached(events: list[dict]) -> set[str]:
    """Hosts other than this machine that answered a request of the page."""
    answered = {
        e["params"]["response"]["url"] for e in events if e["method"] == "Network.responseReceived"
    }
    return {urlsplit(u).hostname or "" for u in answered if u.startswith("http")} - LOCAL


def hosts_asked(events: list[dict]) -> set[str]:
    sent = {
        e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"
    }
    return {urlsplit(u).hostname or "" for u in sent if u.startswith("http")} - LOCAL


def test_the_map_draws_its_points_without_network_and_a_click_opens_the_partner(
    database, offline_browser, tmp_path
):
    driver = offline_browser
    with (
        running_app(database, tmp_path / "app.log") as base,
        screenshot_on_failure(driver, tmp_path),
    ):
        driver.get(base)
        page = Page(driver)
        page.sign_in("lee@practice.test", PASSWORD)
        page.wait_for_heading("Partners")
        driver.get(f"{base}/partner-map")
        page.wait_for_heading("Partner map")
        page.wait_for_text("3 partners on the map · 0 referrals in the last 90 days")
        canvas = map_canvas(driver)
        spots = wait_for_points(driver, canvas, len(PARTNERS))
        assert set(spots) == {STATUS_COLOURS[s] for _, s in PARTNERS.values()}
        assert hosts_reached(requests_made(driver)) == set()  # the offline switches hold

        page.click_toggle("Street map")
        page.wait_until_idle()
        canvas = map_canvas(driver)
        spots = wait_for_points(driver, canvas, len(PARTNERS))
        assert hosts_asked(requests_made(driver)) == set()  # no tile, font or script

        x, y = spots[STATUS_COLOURS["referral_source"]]
        ActionChains(driver).move_to_element_with_offset(
            canvas, x - canvas.size["width"] // 2, y - canvas.size["height"] // 2
        ).click().perform()
        page.wait_for_heading("Worcester Sports PT")  # the Partners page, with it open

        driver.find_element(By.XPATH, '//a[.//span[normalize-space()="Partner map"]]').click()
        page.wait_for_heading("Partner map")
        map_canvas(driver)
        page.wait_until_idle()
        assert "Partner map" in page.headings()  # the click is not made again on the way back
