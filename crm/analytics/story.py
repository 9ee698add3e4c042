"""One partner's story: what was done to reach it (touches, cadences, events, emails)
on one timeline with the referrals it sent each month, so a liaison can see what came
before the referrals started or stopped. One query per table, whatever the history.

Emails come from the outbox rather than from the email touches the sender logs for
them, since the message knows which program sent it and whether it was opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from crm.analytics import sql
from crm.analytics.filters import _add_months, _utc
from crm.analytics.outreach import SEASONAL_PREFIX, seasonal_name
from crm.clock import as_utc
from crm.models import (
    Cadence,
    Contact,
    Enrolment,
    Event,
    EventInvitee,
    Message,
    Referral,
    Touch,
    User,
)
from crm.vocab import EnrolmentStatus, TouchKind

MOMENT_COLUMNS = ["at", "kind", "title", "detail"]
_RSVP = {"yes": "said yes", "no": "said no", "none": "no answer", "waitlist": "on the wait list"}


@dataclass(frozen=True)
class PartnerStory:
    monthly: pd.DataFrame  # month ('YYYY-MM'), referrals: every month of the window
    moments: pd.DataFrame  # at (aware UTC), kind, title, detail: oldest first


def partner_story(
    session: Session,
    partner_id: int,
    now: datetime,
    months: int = 18,
    zone: ZoneInfo = ZoneInfo("America/New_York"),
) -> PartnerStory:
    """The last `months` months up to and including the current one, in `zone`."""
    this_month = now.astimezone(zone).date().replace(day=1)
    first = _add_months(this_month, -(months - 1))
    start, end = _utc(first, zone), _utc(_add_months(this_month, 1), zone)
    keys = [f"{_add_months(first, n):%Y-%m}" for n in range(months)]
    moments = [
        *_touches(session, partner_id, start, end),
        *_enrolments(session, partner_id, start, end),
        *_events(session, partner_id, start, end),
        *_emails(session, partner_id, start, end),
    ]
    moments.sort(key=lambda m: m[0])
    counts = _monthly(session, partner_id, start, end, zone, now)
    monthly = pd.DataFrame({"month": keys, "referrals": [counts.get(key, 0) for key in keys]})
    return PartnerStory(monthly=monthly, moments=pd.DataFrame(moments, columns=MOMENT_COLUMNS))


def _monthly(
    session: Session, partner_id: int, start: datetime, end: datetime, zone: ZoneInfo, now: datetime
) -> dict[str, int]:
    month = sql.month(Referral.received_at, sql.offset_minutes(zone, now))
    return {
        key: int(n)
        for key, n in session.execute(
            select(month, func.count())
            .where(
                Referral.partner_id == partner_id,
                Referral.received_at >= start,
                Referral.received_at < end,
            )
            .group_by(month)
        )
    }


Moment = tuple[datetime, str, str, str]


def _joined(*parts: str | None) -> str:
    return " · ".join(p for p in parts if p)


def _touches(session: Session, partner_id: int, start: datetime, end: datetime) -> list[Moment]:
    rows = session.execute(
        select(
            Touch.occurred_at,
            Touch.kind,
            Touch.outcome,
            User.name,
            Contact.first_name,
            Contact.last_name,
        )
        .outerjoin(User, User.id == Touch.user_id)
        .outerjoin(Contact, Contact.id == Touch.contact_id)
        .where(
            Touch.partner_id == partner_id,
            Touch.message_id.is_(None),
            Touch.occurred_at >= start,
            Touch.occurred_at < end,
        )
    )
    return [
        (as_utc(when), kind, _label(TouchKind, kind), _joined(_person(first, last), by, outcome))
        for when, kind, outcome, by, first, last in rows
    ]


def _enrolments(session: Session, partner_id: int, start: datetime, end: datetime) -> list[Moment]:
    rows = session.execute(
        select(Enrolment.enrolled_at, Cadence.name, Enrolment.status, Enrolment.exit_reason)
        .join(Cadence, Cadence.id == Enrolment.cadence_id)
        .where(
            Enrolment.partner_id == partner_id,
            Enrolment.enrolled_at >= start,
            Enrolment.enrolled_at < end,
        )
    )
    return [
        (
            as_utc(when),
            "cadence",
            f"Enrolled in {name}",
            _joined(_label(EnrolmentStatus, status), exit_reason.replace("_", " ")),
        )
        for when, name, status, exit_reason in rows
    ]


def _events(session: Session, partner_id: int, start: datetime, end: datetime) -> list[Moment]:
    rows = session.execute(
        select(
            Event.starts_at,
            Event.title,
            Event.status,
            EventInvitee.rsvp,
            EventInvitee.attended,
            Contact.first_name,
            Contact.last_name,
        )
        .join(Event, Event.id == EventInvitee.event_id)
        .join(Contact, Contact.id == EventInvitee.contact_id)
        .where(
            EventInvitee.partner_id == partner_id, Event.starts_at >= start, Event.starts_at < end
        )
    )
    return [
        (
            as_utc(when),
            "event",
            title,
            _joined(
                _person(first, last),
                "invited",
                _RSVP.get(rsvp, rsvp),
                "attended" if attended else None,
                "cancelled" if status == "cancelled" else None,
            ),
        )
        for when, title, status, rsvp, attended, first, last in rows
    ]


def _emails(session: Session, partner_id: int, start: datetime, end: datetime) -> list[Moment]:
    rows = session.execute(
        select(
            Message.sent_at,
            Message.source,
            Message.subject,
            Message.to_name,
            Message.to_email,
            Message.opened_at,
            Message.clicked_at,
            Message.bounced_at,
        ).where(Message.partner_id == partner_id, Message.sent_at >= start, Message.sent_at < end)
    )
    moments = []
    for when, source, subject, name, email, opened, clicked, bounced in rows:
        seasonal = source.startswith(SEASONAL_PREFIX)
        moments.append(
            (
                as_utc(when),
                "seasonal" if seasonal else "email",
                subject,
                _joined(
                    f"to {name or email}",
                    seasonal_name(source) if seasonal else None,
                    "opened" if opened else None,
                    "clicked" if clicked else None,
                    "bounced" if bounced else None,
                ),
            )
        )
    return moments


def _person(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def _label(vocabulary, value: str) -> str:  # type: ignore[no-untyped-def]
    try:
        return vocabulary(value).label
    except ValueError:
        return value
