"""Contacts: the people at a partner a liaison actually talks to."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, select

from crm import audit
from crm.access import Actor, require_editor
from crm.errors import NotFound
from crm.fields import Email, Npi, Phone, text, vocab
from crm.models import Contact
from crm.partners import get_partner
from crm.vocab import ContactRole


class ContactInput(BaseModel):
    first_name: text(80, required=True)
    last_name: text(80) = ""
    role: vocab(ContactRole) = ContactRole.OTHER.value
    email: Email = None
    phone: Phone = ""
    npi: Npi = None
    email_opt_out: bool = False
    notes: text(10_000) = ""


def get_contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"no contact with id {contact_id}")
    return contact


def create_contact(
    session: Session, actor: Actor, partner_id: int, data: ContactInput, now: datetime
) -> Contact:
    require_editor(actor)
    get_partner(session, partner_id)
    values = data.model_dump()
    contact = Contact(partner_id=partner_id, **values, created_at=now, updated_at=now)
    session.add(contact)
    session.flush()
    audit.record(
        session, actor, "create", "contact", contact.id, {"partner_id": partner_id, **values}, now
    )
    return contact


def update_contact(
    session: Session, actor: Actor, contact_id: int, data: ContactInput, now: datetime
) -> Contact:
    require_editor(actor)
    contact = get_contact(session, contact_id)
    audit.apply_changes(session, actor, "contact", contact, data.model_dump(), now)
    return contact


def archive_contact(session: Session, actor: Actor, contact_id: int, now: datetime) -> Contact:
    require_editor(actor)
    contact = get_contact(session, contact_id)
    audit.set_archived(session, actor, "contact", contact, True, now)
    return contact


def contacts_of(session: Session, partner_id: int, include_archived: bool = False) -> list[Contact]:
    query = select(Contact).where(Contact.partner_id == partner_id)
    if not include_archived:
        query = query.where(Contact.archived_at.is_(None))
    return list(session.exec(query.order_by(Contact.last_name, Contact.first_name)))
