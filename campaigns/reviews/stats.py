"""Review requests by location and month (of the request, in UTC): how many were
sent, opened and clicked, and the front desk's QR scans. `opened` counts a person's
open reported by SendGrid's Event Webhook (Apple Mail's privacy prefetch is not one), so
it stays 0 with the file or SMTP transport."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlmodel import Session

from campaigns.reviews.clicks import QR_SCAN
from crm.models import AuditLog, Location, Message, ReviewRequest
from crm.vocab import MessageStatus


@dataclass(frozen=True)
class MonthRow:
    location: str
    month: str
    sent: int
    reminders_sent: int
    opened: int
    clicked: int
    qr_scans: int


def _month(session: Session, column):  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def monthly_stats(session: Session) -> list[MonthRow]:
    month = _month(session, ReviewRequest.requested_at).label("month")
    reminder = Message.__table__.alias("reminder")
    rows = session.execute(
        select(
            Location.name,
            month,
            func.count(case((Message.status == MessageStatus.SENT.value, 1))),
            func.count(case((reminder.c.status == MessageStatus.SENT.value, 1))),
            func.count(ReviewRequest.opened_at),
            func.count(ReviewRequest.clicked_at),
        )
        .join(Location, Location.id == ReviewRequest.location_id)
        .outerjoin(Message, Message.id == ReviewRequest.message_id)
        .outerjoin(reminder, reminder.c.id == ReviewRequest.reminder_message_id)
        .group_by(Location.name, month)
    ).all()
    scans = _scans(session)
    found = {
        (name, m): MonthRow(name, m, s, r, o, c, scans.pop((name, m), 0))
        for name, m, s, r, o, c in rows
    }
    found.update({key: MonthRow(key[0], key[1], 0, 0, 0, 0, n) for key, n in scans.items()})
    by_location = sorted(found.values(), key=lambda row: row.location)
    return sorted(by_location, key=lambda row: row.month, reverse=True)


def _scans(session: Session) -> dict[tuple[str, str], int]:
    month = _month(session, AuditLog.at).label("month")
    rows = session.execute(
        select(Location.name, month, func.count())
        .join(Location, Location.id == AuditLog.entity_id)
        .where(AuditLog.entity == "location", AuditLog.action == QR_SCAN)
        .group_by(Location.name, month)
    )
    return {(name, m): n for name, m, n in rows}
