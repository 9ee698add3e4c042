"""The report as an outbox message: rendered and its workbook built once, then one
message per recipient. Staff mail, so it is transactional: never held by the
marketing send window or frequency cap, and it carries no unsubscribe link (a user
turns it off under My account)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from campaigns.post import Attachment, Draft
from campaigns.reports.excel import XLSX_MIME, report_workbook, workbook_filename
from campaigns.reports.html import TEMPLATE, render_report
from campaigns.reports.monthly import monthly_report
from crm.analytics.filters import Period
from crm.db import analytics_session
from crm.settings import Settings

KIND = "report"


@dataclass(frozen=True)
class ReportEmail:
    month: Period
    subject: str
    html: str
    text: str
    workbook: Attachment


def report_email(session: Session, settings: Settings, month: Period, now: datetime) -> ReportEmail:
    """The month's figures are read from the analytics database (a replica, when set);
    the caller's session goes on to write the messages to the main one."""
    with analytics_session(session, settings) as reading:
        report = monthly_report(reading, settings, month, now)
    rendered = render_report(report, settings.practice_name)
    workbook = Attachment(
        filename=workbook_filename(report), content=report_workbook(report), mime_type=XLSX_MIME
    )
    return ReportEmail(month, rendered.subject, rendered.html, rendered.text, workbook)


def report_draft(
    email: ReportEmail, settings: Settings, *, key: str, to_email: str, to_name: str = ""
) -> Draft:
    return Draft(
        idempotency_key=key,
        kind=KIND,
        transactional=True,
        to_email=to_email,
        to_name=to_name,
        template=TEMPLATE,
        subject=email.subject,
        html=email.html,
        text=email.text,
        source=f"leadership report {email.month.start:%Y-%m}",
        timezone=settings.timezone,
        attachments=(email.workbook,),
    )
