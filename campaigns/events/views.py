"""What the event page reads, so the page itself runs no SQL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from crm.models import Contact, EventInvitee, Location, Partner
from crm.opt_outs import address_opted_out


@dataclass(frozen=True)
class InviteeRow:
    invitee_id: int
    name: str
    email: str
    role: str
    partner: str
    rsvp: str
    attended: bool


def invitee_rows(session: Session, event_id: int) -> list[InviteeRow]:
    rows = session.execute(
        select(
            EventInvitee.id,
            Contact.first_name,
            Contact.last_name,
            Contact.email,
            Contact.role,
            Partner.name,
            EventInvitee.rsvp,
            EventInvitee.attended,
        )
        .join(Contact, Contact.id == EventInvitee.contact_id)
        .join(Partner, Partner.id == EventInvitee.partner_id)
        .where(EventInvitee.event_id == event_id)
        .order_by(Partner.name, Contact.last_name, Contact.first_name)
    ).all()
    return [
        InviteeRow(i, f"{first} {last}".strip(), email or "", role, partner, rsvp, attended)
        for i, first, last, email, role, partner, rsvp, attended in rows
    ]


def partner_choices(session: Session) -> dict[int, str]:
    """Active partners by name, for picking an audience or a partner's office as the venue."""
    rows = session.execute(
        select(Partner.id, Partner.name).where(Partner.archived_at.is_(None)).order_by(Partner.name)
    ).all()
    return dict(rows)


def location_choices(session: Session) -> dict[int, tuple[str, str]]:
    """Location id -> (name, time zone)."""
    rows = session.execute(
        select(Location.id, Location.name, Location.timezone).order_by(Location.name)
    ).all()
    return {i: (name, zone) for i, name, zone in rows}


def contact_choices(session: Session) -> dict[int, str]:
    """Contacts who can be emailed, as "Name (Partner)", for picking people one by one."""
    rows = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Partner.name)
        .join(Partner, Partner.id == Contact.partner_id)
        .where(
            Contact.archived_at.is_(None),
            Partner.archived_at.is_(None),
            Contact.email.is_not(None),
            Contact.email != "",
            ~address_opted_out(Contact.email),
        )
        .order_by(Partner.name, Contact.last_name, Contact.first_name)
    ).all()
    return {i: f"{first} {last} ({partner})".replace("  ", " ") for i, first, last, partner in rows}
