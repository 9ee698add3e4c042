"""End to end in a real headless Chromium, against the app as `make run` starts it: a
partner opens its link and sends a patient; the front desk finds the referral in its
queue with its deadline; the acknowledgment goes out through the local SendGrid server
naming no patient and no service line; the partner's status page lists the referral
without anything that identifies the patient, and follows as the front desk marks it
contacted, then scheduled."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlmodel import Session, select

from campaigns.mail.dispatch import DispatchConfig, Dispatcher
from campaigns.mail.transports.keepalive import sendgrid_client
from campaigns.mail.transports.sendgrid_api import SendGridTransport
from crm import clock, migrate
from crm.db import engine_for
from crm.models import Referral
from crm.partner_links import make_token
from crm.referral_queue import deadline_of
from crm.setting_values import SendWindow
from crm.vocab import ReferralChannel, ServiceLine
from sendgrid_local import LocalServer
from tests.browser import Page, browser, running_app, screenshot_on_failure  # noqa: F401
from tests.factories import PASSWORD, make_contact, make_location, make_user
from tests.outbox_helpers import Clock
from tests.referral_update_helpers import email_partner
from tests.sendgrid_server import sendgrid_server  # noqa: F401

pytestmark = pytest.mark.browser

KEY = "browser-test-key"  # what running_app puts in LIAISON_SECRET_KEY
PATIENT = {
    "first_name": "Zebulon",
    "last_name": "Quimby",
    "phone": "617-555-0142",
    "email": "zebulon.quimby@example.net",
}
PHONE_DIGITS = "6175550142"
SERVICE = ServiceLine.SHOULDER
CONFIG = DispatchConfig(
    from_email="outreach@practice.example.org",
    from_name="Summit Sports Medicine",
    window=SendWindow.parse("Mon-Fri 08:00-18:00"),
    frequency_cap=3,
    max_attempts=12,
    batch_size=40,
    workers=1,
    unsubscribe_url=None,
)
TODAY, TOMORROW = "Nov 25, 2026", "Nov 26, 2026"  # NOW, in the practice's time zone


@pytest.fixture
def practice(tmp_path: Path) -> tuple[str, str]:
    """A fresh SQLite file with a front-desk marketer, one clinic and one partner that
    hears about each referral by email; the database URL and the partner's link path."""
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    migrate.upgrade(url)
    with Session(engine_for(url), expire_on_commit=False) as session:
        make_user(session, email="dana@practice.test", name="Dana Front", role="marketer")
        make_location(session, name="Back Bay Clinic")
        partner = email_partner(session, name="Riverside Family Medicine")
        make_contact(
            session,
            partner,
            first_name="Jordan",
            last_name="Reyes",
            email="jordan@riverside.example.org",
        )
        session.commit()
        path = f"/p/{make_token(KEY, partner.id, partner.link_version)}"
    engine_for(url).dispose()
    return url, path


def _fill_form(browser: WebDriver, page: Page) -> None:
    page.wait_for_heading("Send a patient")
    for name, value in {**PATIENT, "partner_reference": "RFM-4471"}.items():
        browser.find_element(By.ID, name).send_keys(value)
    for name, shown in {
        "contact": "Jordan Reyes",
        "location": "Back Bay Clinic",
        "service_line": SERVICE.label,
        "urgency": "Soon",
    }.items():
        select = browser.find_element(By.ID, name)
        select.find_element(By.XPATH, f'.//option[normalize-space()="{shown}"]').click()
    browser.find_element(By.NAME, "consent").click()
    browser.find_element(By.XPATH, '//button[normalize-space()="Send the referral"]').click()


def _status_row(browser: WebDriver, number: int) -> list[str]:
    """The cells of our referral's row in the status table: number, reference, received,
    contacted, scheduled, first visit, status."""
    table = browser.find_element(By.TAG_NAME, "table")
    rows = [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]
    [row] = [r for r in rows if r[0] == str(number)]
    return row


def _identifiers(text: str) -> list[str]:
    """Whatever in `text` names, reaches or describes the patient."""
    lowered = text.lower()
    found = [v for v in PATIENT.values() if v.lower() in lowered]
    found += [PHONE_DIGITS] if PHONE_DIGITS in re.sub(r"\D", "", text) else []
    found += [w for w in (SERVICE.value, SERVICE.label.lower()) if w in lowered]
    return found


def _deliver(url: str, server: LocalServer) -> None:
    """One pass of the dispatcher, as the scheduler runs it, sending to the local SendGrid."""
    dispatcher = Dispatcher(
        engine_for(url),
        lambda: SendGridTransport(sendgrid_client("SG.test", server.url, timeout=5)),
        CONFIG,
        Clock(clock.now()),
        random.Random(1),
    )
    try:
        dispatcher.run_pass()
    finally:
        dispatcher.close()


def test_a_partner_sends_a_patient_and_follows_it_as_the_front_desk_works(
    practice, browser, sendgrid_server, tmp_path
):
    url, link = practice
    with (
        running_app(url, tmp_path / "app.log") as base,
        screenshot_on_failure(browser, tmp_path),
    ):
        page = Page(browser)

        # The partner sends a patient and reads our number.
        browser.get(base + link)
        _fill_form(browser, page)
        page.wait_for_heading("Referral received")
        number = int(browser.find_element(By.TAG_NAME, "strong").text)
        with Session(engine_for(url)) as session:
            referral = session.exec(select(Referral)).one()
            assert (referral.id, referral.channel, referral.urgency) == (
                number,
                ReferralChannel.WEB_FORM.value,
                "soon",
            )

        # The acknowledgment reaches the partner's contact, naming no patient or service.
        _deliver(url, sendgrid_server)
        [body] = [b for b in sendgrid_server.received if "RFM-4471" in b["subject"]]
        assert body["personalizations"][0]["to"][0]["email"] == "jordan@riverside.example.org"
        assert _identifiers(json.dumps(body)) == []

        # The status page lists it, received and nothing more, with no patient identifier.
        browser.find_element(By.LINK_TEXT, "your page").click()
        page.wait_for_heading("Send a patient")
        received = _status_row(browser, number)
        assert received[1:] == ["RFM-4471", TODAY, "—", "—", "—", "Received"]
        assert _identifiers(page.body_text().split("Your referrals")[1]) == []
        assert _identifiers(browser.find_element(By.TAG_NAME, "table").text) == []
        assert [v for v in PATIENT.values() if v in browser.page_source] == []

        # The front desk finds the patient in its queue, with the deadline, and calls.
        browser.get(base)
        page.sign_in("dana@practice.test", PASSWORD)
        page.wait_for_heading("Partners")
        browser.get(f"{base}/referral-queue")
        page.wait_for_heading("Referral queue")
        row = page.wait_for_block(f"queue_row_{number}", containing="Zebulon Quimby")
        assert f"#{number}" in row.text
        due = deadline_of(referral.received_at, 1, ZoneInfo("America/New_York"))
        assert f"due {due:%a %b} {due.day}" in row.text  # LIAISON_TARGET_CONTACT_... = 1
        assert "Web form" in row.text and "Riverside Family Medicine, Jordan Reyes" in row.text
        page.click_button("Contacted")
        page.wait_for_text("Zebulon Quimby: contacted.", "p")

        browser.get(base + link)
        page.wait_for_heading("Send a patient")
        contacted = _status_row(browser, number)
        assert contacted[2:] == [TODAY, TODAY, "—", "—", "Contacted"]

        # Then books the first visit, and the partner's page follows again.
        browser.get(f"{base}/referral-queue")
        page.wait_for_heading("Referral queue")
        page.click_button("Scheduled…")
        page.click_button("Book")
        page.wait.until(lambda _d: "Zebulon Quimby: scheduled for" in page.body_text())

        browser.get(base + link)
        page.wait_for_heading("Send a patient")
        scheduled = _status_row(browser, number)
        # Booked today, for the first visit the queue's form offers: tomorrow at 9.
        assert scheduled[2:] == [TODAY, TODAY, TODAY, TOMORROW, "Scheduled"]
        assert _identifiers(browser.find_element(By.TAG_NAME, "table").text) == []
