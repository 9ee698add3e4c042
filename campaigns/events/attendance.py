"""Who came: checked in on the event page or read from a sign-in sheet. Each new
attendee logs an event-attendance touch for their partner, once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, literal, select, update
from sqlmodel import Session

from campaigns.events.service import get_event
from crm import audit
from crm.access import Actor, require_editor
from crm.models import Contact, EventInvitee, Touch
from crm.transfer.reading import read_table
from crm.transfer.report import ImportFileError
from crm.vocab import TouchKind

EMAIL_HEADERS = ("email", "e-mail", "email address", "e-mail address")


@dataclass
class SignInResult:
    checked_in: int = 0
    already: int = 0
    unknown: list[str] = field(default_factory=list)  # "line 7: someone@x.org"


def check_in(
    session: Session, actor: Actor, event_id: int, invitee_ids: Iterable[int], now: datetime
) -> int:
    """Marks the invitees as attended and logs their touches; someone already checked in
    is left alone (no second touch). Returns how many were newly checked in."""
    require_editor(actor)
    event = get_event(session, event_id)
    ids = (
        session.execute(
            select(EventInvitee.id).where(
                EventInvitee.event_id == event.id,
                EventInvitee.id.in_(list(invitee_ids)),
                EventInvitee.attended.is_(False),
            )
        )
        .scalars()
        .all()
    )
    if not ids:
        return 0
    session.execute(
        update(EventInvitee)
        .where(EventInvitee.id.in_(ids))
        .values(attended=True, checked_in_at=now)
    )
    touch_time = Touch.__table__.c.occurred_at.type
    rows = select(
        EventInvitee.partner_id,
        EventInvitee.contact_id,
        literal(actor.id),
        literal(TouchKind.EVENT_ATTENDANCE.value),
        literal(event.starts_at, type_=touch_time),
        literal(f"attended {event.title}"[:200]),
        literal(""),
        literal(now, type_=touch_time),
    ).where(EventInvitee.id.in_(ids))
    session.execute(
        insert(Touch).from_select(
            [
                "partner_id",
                "contact_id",
                "user_id",
                "kind",
                "occurred_at",
                "outcome",
                "notes",
                "created_at",
            ],
            rows,
        )
    )
    audit.record(session, actor, "check_in", "event", event.id, {"attendees": len(ids)}, now)
    return len(ids)


def import_sign_in_sheet(
    session: Session, actor: Actor, event_id: int, data: bytes, filename: str, now: datetime
) -> SignInResult:
    """A sign-in sheet (CSV or workbook) with an email column. Invitees are matched by
    their contact's email; a known contact who came uninvited is added as an invitee
    first; an address not on file is reported by its line, not guessed at."""
    require_editor(actor)
    event = get_event(session, event_id)
    table = read_table(data, filename)
    column = _email_column(table.headers)
    by_line = {
        row.line: row.cells[column].strip().lower()
        for row in table.rows
        if column < len(row.cells) and row.cells[column].strip()
    }
    contacts = dict(
        session.execute(
            select(func.lower(Contact.email), Contact).where(
                func.lower(Contact.email).in_(set(by_line.values())), Contact.archived_at.is_(None)
            )
        ).all()
    )
    result = SignInResult(
        unknown=[
            f"line {line}: {email}" for line, email in by_line.items() if email not in contacts
        ]
    )
    invitees = _invitees_for(session, event.id, list(contacts.values()), now)
    result.checked_in = check_in(session, actor, event.id, invitees, now)
    result.already = len(invitees) - result.checked_in
    return result


def _email_column(headers: list[str]) -> int:
    names = [h.strip().lower() for h in headers]
    for index, name in enumerate(names):
        if name in EMAIL_HEADERS:
            return index
    raise ImportFileError("the sign-in sheet needs an Email column")


def _invitees_for(
    session: Session, event_id: int, contacts: list[Contact], now: datetime
) -> list[int]:
    wanted = {c.id: c for c in contacts}
    have = dict(
        session.execute(
            select(EventInvitee.contact_id, EventInvitee.id).where(
                EventInvitee.event_id == event_id, EventInvitee.contact_id.in_(list(wanted))
            )
        ).all()
    )
    walk_ins = [
        {
            "event_id": event_id,
            "contact_id": c.id,
            "partner_id": c.partner_id,
            "rsvp": "none",
            "attended": False,
            "invited_at": now,
        }
        for cid, c in wanted.items()
        if cid not in have
    ]
    if walk_ins:
        session.execute(insert(EventInvitee), walk_ins)
    return list(
        session.execute(
            select(EventInvitee.id).where(
                EventInvitee.event_id == event_id, EventInvitee.contact_id.in_(list(wanted))
            )
        ).scalars()
    )
