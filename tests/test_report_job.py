"""When the monthly report is due, and who gets it: from 07:00 on the first business
day of a month, last month's report, once, to each active user who opted in, with the
workbook attached."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlmodel import select

from campaigns.mail.outbox import decode_attachments
from campaigns.reports.excel import XLSX_MIME
from campaigns.reports.job import monthly_report_job, report_due, send_monthly_reports
from crm.analytics.filters import Period
from crm.models import Message, User
from crm.settings import Settings
from liaison.scheduler.jobs import registered
from tests.factories import make_user

ZONE = ZoneInfo("America/New_York")
SETTINGS = Settings(
    database_url="sqlite://",
    secret_key="test-secret-key",
    timezone="America/New_York",
    public_url="https://liaison.example.org",
)
# Monday 2 November 2026, 09:00 in New York: October's report is due.
DUE = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZONE)


def test_on_the_first_business_day_at_seven_last_months_report_is_due():
    assert report_due(_local(2026, 11, 2, 7, 0), ZONE) == Period.month(2026, 10)


def test_not_a_minute_before_seven():
    assert report_due(_local(2026, 11, 2, 6, 59), ZONE) is None


def test_a_month_starting_on_a_saturday_waits_for_monday():
    assert report_due(_local(2026, 8, 1, 9, 0), ZONE) is None
    assert report_due(_local(2026, 8, 2, 9, 0), ZONE) is None
    assert report_due(_local(2026, 8, 3, 7, 0), ZONE) == Period.month(2026, 7)


def test_a_later_day_in_the_month_is_still_due_for_the_same_month():
    assert report_due(_local(2026, 11, 19, 16, 30), ZONE) == Period.month(2026, 10)


def test_january_reports_on_december():
    assert report_due(_local(2027, 1, 1, 8, 0), ZONE) == Period.month(2026, 12)


def test_the_day_is_the_practices_not_utcs():
    # 04:00 UTC on 2 November is still 1 November (a Sunday) in New York.
    assert report_due(datetime(2026, 11, 2, 4, 0, tzinfo=UTC), ZONE) is None


def _opted_in(session, **fields):  # type: ignore[no-untyped-def]
    actor = make_user(session, monthly_report=True, **fields)
    return session.get(User, actor.id)


def _messages(session):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(Message).order_by(Message.id)).all()


def test_each_opted_in_active_user_gets_one_report(session):
    alice, bob = _opted_in(session), _opted_in(session)
    make_user(session)  # did not opt in
    _opted_in(session, active=False)
    assert send_monthly_reports(session, SETTINGS, DUE) == 2
    messages = _messages(session)
    assert [m.to_email for m in messages] == [alice.email, bob.email]
    assert [m.idempotency_key for m in messages] == [
        f"leadership-report:2026-10:{alice.id}",
        f"leadership-report:2026-10:{bob.id}",
    ]


def test_a_second_run_sends_nothing(session):
    _opted_in(session)
    send_monthly_reports(session, SETTINGS, DUE)
    assert send_monthly_reports(session, SETTINGS, DUE.replace(day=20)) == 0
    assert len(_messages(session)) == 1


def test_a_run_later_in_the_month_sends_what_the_scheduler_missed(session):
    user = _opted_in(session)
    assert send_monthly_reports(session, SETTINGS, datetime(2026, 11, 24, 15, 0, tzinfo=UTC)) == 1
    assert _messages(session)[0].idempotency_key == f"leadership-report:2026-10:{user.id}"


def test_someone_who_opts_in_after_the_send_gets_it_at_the_next_run(session):
    _opted_in(session)
    send_monthly_reports(session, SETTINGS, DUE)
    late = _opted_in(session)
    assert send_monthly_reports(session, SETTINGS, DUE.replace(hour=15)) == 1
    assert _messages(session)[-1].to_email == late.email


def test_nothing_is_sent_before_it_is_due(session):
    _opted_in(session)
    assert send_monthly_reports(session, SETTINGS, datetime(2026, 11, 2, 11, 59, tzinfo=UTC)) == 0
    assert _messages(session) == []


def test_the_report_is_staff_mail_never_held_like_marketing(session):
    _opted_in(session)
    send_monthly_reports(session, SETTINGS, DUE)
    (message,) = _messages(session)
    assert message.kind == "report" and message.transactional and message.status == "queued"
    assert message.subject == "Leadership report: October 2026"
    assert message.partner_id is None and message.contact_id is None and message.patient_id is None


def test_the_attachment_is_a_valid_workbook_of_the_month(session):
    _opted_in(session)
    send_monthly_reports(session, SETTINGS, DUE)
    (attachment,) = decode_attachments(_messages(session)[0].attachments)
    assert (
        attachment.filename == "leadership-report-2026-10.xlsx"
        and attachment.mime_type == XLSX_MIME
    )
    book = load_workbook(io.BytesIO(attachment.content))
    assert book.sheetnames[0] == "Summary"
    assert ("Period", "October 2026") in [r[:2] for r in book["Summary"].values]


def test_the_email_has_html_text_and_the_link_to_the_app(session):
    _opted_in(session)
    send_monthly_reports(session, SETTINGS, DUE)
    (message,) = _messages(session)
    assert 'href="https://liaison.example.org"' in message.html and "October 2026" in message.text


def test_the_scheduler_runs_the_job_before_dispatch(engine, session):
    order = [job.name for job in registered()]
    assert order.index("monthly_report") < order.index("dispatch")
    _opted_in(session)
    assert monthly_report_job(engine, SETTINGS, lambda: DUE) == "leadership reports: 1"
