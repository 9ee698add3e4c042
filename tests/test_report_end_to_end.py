"""The monthly report from the scheduler's job to the inbox: through a real SMTP server
and through the local SendGrid (which checks each request against SendGrid's spec),
the workbook arrives attached and opens in openpyxl."""

from __future__ import annotations

import base64
import io
import random
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from openpyxl import load_workbook

from campaigns.mail.dispatch import DispatchConfig, Dispatcher
from campaigns.mail.transports.keepalive import sendgrid_client
from campaigns.mail.transports.sendgrid_api import SendGridTransport
from campaigns.mail.transports.smtp import SmtpTransport
from campaigns.reports.excel import XLSX_MIME
from campaigns.reports.job import send_monthly_reports
from crm.setting_values import SendWindow, SmtpConfig
from crm.settings import Settings
from tests.browser import free_port
from tests.factories import make_partner, make_referral, make_user
from tests.outbox_helpers import Clock
from tests.sendgrid_server import sendgrid_server  # noqa: F401

SETTINGS = Settings(
    database_url="sqlite://",
    secret_key="test-secret-key",
    timezone="America/New_York",
    public_url="https://liaison.example.org",
)
# Monday 2 November 2026 at 07:00 in New York: the report is due, the send window opens at 08:00.
DUE = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
CONFIG = DispatchConfig(
    from_email="outreach@practice.example.org",
    from_name="Summit Sports Medicine",
    window=SendWindow.parse("Mon-Fri 08:00-18:00"),
    frequency_cap=3,
    max_attempts=12,
    batch_size=40,
    workers=2,
    unsubscribe_url=lambda email, key: f"https://liaison.example.org/unsubscribe/{key}",
)


class _Inbox:
    def __init__(self) -> None:
        self.messages = []  # type: ignore[var-annotated]

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():  # type: ignore[no-untyped-def]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def queued(session):  # type: ignore[no-untyped-def]
    partner = make_partner(session, name="Riverside Family Medicine")
    make_referral(session, partner, datetime(2026, 10, 6, 15, 0, tzinfo=UTC))
    make_user(session, email="ceo@practice.example.org", name="Dana Cruz", monthly_report=True)
    assert send_monthly_reports(session, SETTINGS, DUE) == 1
    session.commit()


def _opens_as_the_october_workbook(content: bytes) -> None:
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[0] == "Summary" and "Top partners by month" in book.sheetnames
    assert "Riverside Family Medicine" in [row[0] for row in book["Top partners by month"].values]
    assert book["Referrals by month"]._charts


def test_the_report_reaches_a_real_smtp_server_with_the_workbook_attached(
    engine, queued, smtp_server
):
    controller, inbox = smtp_server
    config = SmtpConfig.parse(f"smtp://127.0.0.1:{controller.port}")
    dispatcher = Dispatcher(engine, lambda: SmtpTransport(config, timeout=5), CONFIG, Clock(DUE))
    assert dispatcher.run_pass().sent == 1  # staff mail: not held by the partner send window
    dispatcher.close()
    (message,) = inbox.messages
    assert message["To"] == "Dana Cruz <ceo@practice.example.org>"
    assert message["Subject"] == "Leadership report: October 2026"
    assert message["List-Unsubscribe"] is None
    assert "Riverside Family Medicine" in message.get_body(("html",)).get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == XLSX_MIME
    assert attachment.get_filename() == "leadership-report-2026-10.xlsx"
    _opens_as_the_october_workbook(attachment.get_content())


def test_the_report_reaches_sendgrid_with_the_workbook_attached(engine, queued, sendgrid_server):
    dispatcher = Dispatcher(
        engine,
        lambda: SendGridTransport(sendgrid_client("SG.test", sendgrid_server.url, timeout=5)),
        CONFIG,
        Clock(DUE),
        random.Random(1),
    )
    assert dispatcher.run_pass().sent == 1
    dispatcher.close()
    (body,) = sendgrid_server.received
    (attachment,) = body["attachments"]
    assert (attachment["type"], attachment["filename"]) == (
        XLSX_MIME,
        "leadership-report-2026-10.xlsx",
    )
    _opens_as_the_october_workbook(base64.b64decode(attachment["content"]))
