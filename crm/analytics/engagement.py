"""Email engagement: how many of the emails each program sent were delivered, opened
by a person, clicked or bounced, from the outcomes SendGrid's Event Webhook records on
each message.

Counts are aggregated in SQL by a small key (the program's kind, a cadence step's or
an event's source, or the month), so only a few rows come back; the keys are then
named here, and rows that share a name (an event renamed between its invitation and
its reminder) are added together before the rates are taken."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Integer, case, cast, func, or_, select
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from crm.analytics import sql
from crm.analytics.filters import Filters
from crm.models import Cadence, CadenceStep, Event, Message, Partner

GROUPINGS = ("program", "cadence_step", "event", "month")
GROUPING_LABELS = {
    "program": "Program",
    "cadence_step": "Cadence step",
    "event": "Event",
    "month": "Month",
}
COUNTS = ("sent", "delivered", "opened", "machine_opens", "clicked", "bounced")
COLUMNS = [
    "group",
    "sent",
    "delivered",
    "delivery_rate",
    "opened",
    "open_rate",
    "machine_opens",
    "clicked",
    "click_rate",
    "bounced",
]
PROGRAMS = {
    "cadence": "Cadences",
    "event": "Events",
    "seasonal": "Seasonal education",
    "review": "Patient reviews",
    "acknowledgment": "Referral updates",
    "survey": "Partner surveys",
}
OTHER = "Other"
# Test sends and the staff's own mail (alerts, the monthly report) are not outreach.
NOT_OUTREACH = ("test", "alert", "report")

_STEP_SOURCE = re.compile(r"^cadence step (\d+)$")
_EVENT_SOURCE = re.compile(r"^event (\d+):")


def email_rates(session: Session, filters: Filters, by: str) -> pd.DataFrame:
    """Emails sent in the period, by `by` (one of GROUPINGS). Rates are None when there
    is nothing to divide by. Location and service line do not apply: an email is not
    about one referral."""
    if by not in GROUPINGS:
        raise ValueError(f"cannot group emails by {by!r}")
    key = _key(by, filters)
    query = _counts(filters, key)
    if by == "cadence_step":
        query = query.where(_unindexed(Message.kind) == "cadence")
    elif by == "event":
        query = query.where(_unindexed(Message.kind) == "event")
    rows = pd.DataFrame(session.execute(query).all(), columns=["key", *COUNTS])
    rows["group"] = _labels(session, by, filters, list(rows["key"]))
    table = rows.groupby("group", sort=False)[list(COUNTS)].sum()
    table = table.reindex(_order(by, filters, list(table.index)), fill_value=0)
    return _with_rates(table.rename_axis("group").reset_index())


def has_outcomes(table: pd.DataFrame) -> bool:
    """Whether any email in the table has a delivery, open, click or bounce recorded:
    with the file or SMTP transport none ever will."""
    return bool(
        table[["delivered", "opened", "machine_opens", "clicked", "bounced"]].to_numpy().sum()
    )


def _key(by: str, filters: Filters) -> ColumnElement[str]:
    if by == "month":
        return sql.month(Message.sent_at, filters.offset_minutes)
    if by == "program":
        return _unindexed(Message.kind)
    return Message.source


def _counts(filters: Filters, key: ColumnElement[str]) -> Select:
    # An open or a click proves the email arrived even when its delivered event was lost.
    delivered = or_(
        Message.delivered_at.is_not(None),
        Message.opened_at.is_not(None),
        Message.machine_opened_at.is_not(None),
        Message.clicked_at.is_not(None),
    )
    machine_only = Message.machine_opened_at.is_not(None) & Message.opened_at.is_(None)
    query = (
        select(
            key.label("key"),
            func.count().label("sent"),
            _count_if(delivered).label("delivered"),
            func.count(Message.opened_at).label("opened"),
            _count_if(machine_only).label("machine_opens"),
            func.count(Message.clicked_at).label("clicked"),
            func.count(Message.bounced_at).label("bounced"),
        )
        .where(filters.within(Message.sent_at), Message.kind.not_in(NOT_OUTREACH))
        .group_by(key)
    )
    partner = filters.partner_clauses(Partner)
    if partner:
        query = query.join(Partner, Partner.id == Message.partner_id).where(*partner)
    return query


def _unindexed(column: ColumnElement) -> ColumnElement:
    """The column as an expression no index answers: the period's emails are read from
    the covering ix_message_sent alone (sent time, kind, source, partner and outcomes),
    never looked up one by one from ix_message_kind_created for a kind."""
    return func.coalesce(column, column)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(cast(case((condition, 1), else_=0), Integer)), 0)


def _labels(session: Session, by: str, filters: Filters, keys: Sequence[str]) -> list[str]:
    if by == "program":
        return [PROGRAMS.get(k, OTHER) for k in keys]
    if by == "cadence_step":
        return _step_labels(session, keys)
    if by == "event":
        return _event_labels(session, filters, keys)
    return list(keys)


def _step_labels(session: Session, sources: Sequence[str]) -> list[str]:
    ids = {s: int(m.group(1)) for s in sources if (m := _STEP_SOURCE.match(s))}
    names = (
        {
            step_id: f"{name} · step {position} ({action})"
            for step_id, name, position, action in session.execute(
                select(CadenceStep.id, Cadence.name, CadenceStep.position, CadenceStep.action)
                .join(Cadence, Cadence.id == CadenceStep.cadence_id)
                .where(CadenceStep.id.in_(set(ids.values())))
            )
        }
        if ids
        else {}
    )
    return [names.get(ids.get(s, -1), s or OTHER) for s in sources]


def _event_labels(session: Session, filters: Filters, sources: Sequence[str]) -> list[str]:
    ids = {s: int(m.group(1)) for s in sources if (m := _EVENT_SOURCE.match(s))}
    names = (
        {
            event_id: f"{title} ({starts_at.astimezone(filters.zone):%b %d, %Y})"
            for event_id, title, starts_at in session.execute(
                select(Event.id, Event.title, Event.starts_at).where(
                    Event.id.in_(set(ids.values()))
                )
            )
        }
        if ids
        else {}
    )
    return [names.get(ids.get(s, -1), s or OTHER) for s in sources]


def _order(by: str, filters: Filters, groups: list[str]) -> list[str]:
    """Programs in a fixed order; every month of the period, even one without email."""
    if by == "program":
        return [g for g in [*PROGRAMS.values(), OTHER] if g in groups]
    if by == "month":
        return sorted({*filters.period.months(), *groups})
    return sorted(groups)


def _with_rates(table: pd.DataFrame) -> pd.DataFrame:
    for name in COUNTS:
        table[name] = table[name].astype(int)
    table["delivery_rate"] = _rate(table["delivered"], table["sent"])
    table["open_rate"] = _rate(table["opened"], table["delivered"])
    table["click_rate"] = _rate(table["clicked"], table["delivered"])
    return table[COLUMNS]


def _rate(part: pd.Series, whole: pd.Series) -> pd.Series:
    return pd.Series(
        [p / w if w else None for p, w in zip(part, whole)], index=part.index, dtype=object
    )
