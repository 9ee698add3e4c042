"""The scheduler's side of the monthly report: on the first business day of a month,
from 07:00 practice time, last month's report goes to every active user who asked for
it. Any later run that month sends it to whoever has not had it (the scheduler may have
been down that morning, or someone opted in since); the idempotency key, one per month
and user, means nobody gets it twice."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns import post
from campaigns.reports.mail import report_draft, report_email
from crm import practice_calendar
from crm.analytics.filters import Period
from crm.business_days import WEEKENDS_ONLY, Calendar, local_date, next_business_day
from crm.clock import Clock
from crm.db import session_scope
from crm.models import Message, User
from crm.settings import Settings

SEND_FROM = time(7, 0)
EVERY_SECONDS = 900


def report_due(now: datetime, zone: ZoneInfo, calendar: Calendar = WEEKENDS_ONLY) -> Period | None:
    """The month whose report is due now, or None before the first business day's 07:00
    (on the practice's calendar: New Year's Day is no business day once US holidays
    are chosen)."""
    local = now.astimezone(zone)
    first = next_business_day(local.date().replace(day=1), calendar)
    if (local.date(), local.time()) < (first, SEND_FROM):
        return None
    this_month = Period.month(local.year, local.month)
    return this_month.previous()


def report_key(month: Period, user_id: int) -> str:
    return f"leadership-report:{month.start:%Y-%m}:{user_id}"


def send_monthly_reports(session: Session, settings: Settings, now: datetime) -> int:
    """How many reports were enqueued. The report is built only when someone is waiting
    for it, so the runs after everyone has it cost two small queries (the calendar and
    who is waiting)."""
    calendar = practice_calendar.load(session, local_date(now, settings.zone))
    month = report_due(now, settings.zone, calendar)
    return 0 if month is None else send_month(session, settings, month, now)


def send_month(session: Session, settings: Settings, month: Period, now: datetime) -> int:
    """The month's report to every opted-in active user who has not had it."""
    waiting = _waiting(session, month)
    if not waiting:
        return 0
    email = report_email(session, settings, month, now)
    drafts = [
        report_draft(
            email, settings, key=report_key(month, user.id), to_email=user.email, to_name=user.name
        )
        for user in waiting
    ]
    return post.office().enqueue_many(session, drafts, now)


def _waiting(session: Session, month: Period) -> list[User]:
    users = (
        session.execute(
            select(User)
            .where(User.active.is_(True), User.monthly_report.is_(True))
            .order_by(User.id)
        )
        .scalars()
        .all()
    )
    keys = [report_key(month, u.id) for u in users]
    sent = set(
        session.execute(
            select(Message.idempotency_key).where(Message.idempotency_key.in_(keys))
        ).scalars()
    )
    return [u for u in users if report_key(month, u.id) not in sent]


def monthly_report_job(engine: Engine, settings: Settings, clock: Clock) -> str:
    with session_scope(engine) as session:
        return f"leadership reports: {send_monthly_reports(session, settings, clock())}"
