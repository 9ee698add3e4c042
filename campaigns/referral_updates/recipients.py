"""Who at a partner hears about its referrals.

The referring contact, when the referral names one who is still with the partner and
has an email; otherwise the partner's main contact: the first contact, not archived,
with an email and not opted out, by ROLE_PRIORITY (then the oldest). A referring
contact who opted out is not replaced by a colleague: they asked for no email."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TypeGuard

from sqlalchemy import case, select
from sqlmodel import Session

from crm.models import Contact
from crm.opt_outs import address_opted_out

ROLE_PRIORITY = (
    "referral_coordinator",
    "office_manager",
    "physician",
    "np_pa",
    "front_desk",
    "athletic_trainer",
    "physical_therapist",
    "coach",
    "other",
)

NO_RECIPIENT = "no_recipient"
OPTED_OUT = "opted_out"


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    first_name: str
    email: str


def main_contacts(session: Session, partner_ids: Iterable[int]) -> dict[int, Recipient]:
    ids = sorted(set(partner_ids))
    if not ids:
        return {}
    rank = case(
        {role: n for n, role in enumerate(ROLE_PRIORITY)},
        value=Contact.role,
        else_=len(ROLE_PRIORITY),
    )
    rows = session.execute(
        select(Contact)
        .where(
            Contact.partner_id.in_(ids),
            Contact.archived_at.is_(None),
            Contact.email.is_not(None),
            Contact.email != "",
            ~address_opted_out(Contact.email),
        )
        .order_by(Contact.partner_id, rank, Contact.created_at, Contact.id)
    ).scalars()
    chosen: dict[int, Recipient] = {}
    for contact in rows:
        chosen.setdefault(contact.partner_id, _recipient(contact))
    return chosen


def contacts_by_id(session: Session, contact_ids: Iterable[int | None]) -> dict[int, Contact]:
    ids = sorted({i for i in contact_ids if i is not None})
    if not ids:
        return {}
    return {c.id: c for c in session.execute(select(Contact).where(Contact.id.in_(ids))).scalars()}


def for_referral(
    referring: Contact | None, main: Recipient | None, opted_out: Collection[str] = ()
) -> Recipient | str:
    """The recipient, or why there is none (NO_RECIPIENT or OPTED_OUT). `opted_out`
    holds the addresses opted out on any record, as `crm.opt_outs` finds them."""
    if writable(referring):
        return (
            OPTED_OUT
            if referring.email_opt_out or referring.email in opted_out
            else _recipient(referring)
        )
    return main or NO_RECIPIENT


def writable(referring: Contact | None) -> TypeGuard[Contact]:
    """Whether the referring contact is the one to hear (or to be refused as opted out);
    where not, the partner's main contact is."""
    return referring is not None and referring.archived_at is None and bool(referring.email)


def _recipient(contact: Contact) -> Recipient:
    return Recipient(contact.id, contact.first_name, contact.email or "")
