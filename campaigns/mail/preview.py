"""Before a bulk email step goes out: who would get it, and who is left out and why.

The preview must never disagree with the send. So it judges the recipients with the
dispatcher's own pieces: its `blocked_addresses` read (suppressed, opted out, partner marked do
not contact) and its `recent_marketing_sends` read, then `campaigns.mail.send_rules.decide`
with the configured frequency cap, exactly as a dispatcher pass at the moment of the
send would. Only the send window is left aside (with a window that is always open): the
window decides when a message goes out, never whether it does. A contact without an
email address is left out before any of that: there is nothing to send to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from campaigns.cadences.state import project_schedule
from campaigns.cadences.steps import roles_of
from campaigns.mail.dispatch import blocked_addresses, recent_marketing_sends
from campaigns.mail.send_rules import Candidate, decide
from campaigns.post import LeftOut, Recipient, StepPreview
from crm.business_days import due_moment
from crm.errors import InvalidInput, NotFound
from crm.models import CadenceStep, Contact, Partner
from crm.setting_values import SendWindow
from crm.vocab import StepAction

NO_EMAIL = "no email address"
_ALWAYS_OPEN = SendWindow(days=frozenset(range(7)), start=time.min, end=time.max)


@dataclass(frozen=True)
class _Addressed:
    """What the dispatcher's `blocked_addresses` reads of a message: who it is for."""

    contact_id: int | None
    patient_id: int | None = None


def recipients(
    session: Session, partner_ids: Iterable[int], roles: frozenset[str]
) -> list[Recipient]:
    """The current contacts of these partners with one of `roles` (any role when
    empty), in one query."""
    ids = sorted(set(partner_ids))
    if not ids:
        return []
    query = (
        select(
            Contact.id,
            Contact.partner_id,
            Partner.name,
            Contact.first_name,
            Contact.last_name,
            Contact.role,
            Contact.email,
        )
        .join(Partner, Contact.partner_id == Partner.id)
        .where(
            Contact.partner_id.in_(ids),
            Contact.archived_at.is_(None),
            Partner.archived_at.is_(None),
        )
        .order_by(Partner.name, Contact.last_name, Contact.first_name, Contact.id)
    )
    if roles:
        query = query.where(Contact.role.in_(sorted(roles)))
    return [
        Recipient(cid, pid, partner, f"{first} {last}".strip(), role, (email or "").strip().lower())
        for cid, pid, partner, first, last, role, email in session.execute(query)
    ]


def preview(session: Session, people: list[Recipient], at: datetime, cap: int) -> StepPreview:
    """Who of `people` a send at `at` would reach, judged as the dispatcher judges."""
    addressed = [p for p in people if p.email]
    left_out = [LeftOut(p, NO_EMAIL) for p in people if not p.email]
    emails = sorted({p.email for p in addressed})
    connection = session.connection()
    blocked = (
        blocked_addresses(connection, [_Addressed(p.contact_id) for p in addressed], emails)
        if emails
        else {}
    )
    recent = recent_marketing_sends(connection, emails, at) if emails else {}
    candidates = [Candidate(i, p.email, "cadence", False, "UTC") for i, p in enumerate(addressed)]
    decisions = decide(
        candidates, blocked=blocked, recent_sends=recent, cap=cap, window=_ALWAYS_OPEN, now=at
    )
    included = []
    for person, decision in zip(addressed, decisions):
        if decision.action == "send":
            included.append(person)
        else:
            left_out.append(LeftOut(person, decision.reason))
    return StepPreview(at=at, included=included, left_out=left_out)


def preview_step(
    session: Session, step_id: int, partner_ids: Iterable[int], at: datetime, cap: int
) -> StepPreview:
    """An email step sent to these partners: its contact roles pick the recipients."""
    step = session.get(CadenceStep, step_id)
    if step is None:
        raise NotFound(f"no cadence step with id {step_id}")
    if step.action != StepAction.EMAIL.value:
        raise InvalidInput("only an email step has recipients to preview")
    return preview(session, recipients(session, partner_ids, roles_of(step.contact_roles)), at, cap)


def preview_planned_step(
    session: Session, step_id: int, day: date, now: datetime, zone: ZoneInfo, cap: int
) -> StepPreview:
    """The step as the calendar plans it on `day`: the partners the cadence projection
    puts on that day, judged at the hour the step falls due (or now, if that is past)."""
    planned = [
        p
        for p in project_schedule(session, day, day, now, timezone=zone.key)
        if p.step_id == step_id
    ]
    at = max(due_moment(day, zone), now)
    return preview_step(session, step_id, {p.partner_id for p in planned}, at, cap)
