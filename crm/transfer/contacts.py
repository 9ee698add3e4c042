"""Contacts in and out. A row is the contact with the same email (in any case); a row
without an email is the contact of the same first and last name at the same partner who
has no email either. The partner is named by name and address; a contact whose email is
found at another partner has moved there."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, tzinfo
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlmodel import Session

from crm import validation
from crm.contacts import ContactInput
from crm.models import Contact, Partner
from crm.transfer.columns import Columns
from crm.transfer.entity import Candidate, Entity, Stored, chunks, first_by
from crm.transfer.lookups import PartnerFinder

PARTNER_ALIASES: dict[str, tuple[str, ...]] = {
    "partner_name": (
        "Partner",
        "Practice",
        "Practice Name",
        "Org",
        "Organization",
        "Organisation",
        "Organization Name",
        "Company",
        "Company Name",
        "Clinic",
        "Account",
        "Account Name",
        "Referring Practice",
        "Referral Source",
    ),
    "partner_address": (
        "Partner Address",
        "Practice Address",
        "Organization Address",
        "Address",
        "Street",
        "Street Address",
    ),
}


class Contacts(Entity):
    name = "contacts"
    audit_name = "contact"
    table = Contact.__table__
    model = ContactInput
    columns = Columns(
        names=(
            "partner_name",
            "partner_address",
            "first_name",
            "last_name",
            "role",
            "email",
            "phone",
            "npi",
            "email_opt_out",
            "notes",
        ),
        required=("partner_name", "first_name"),
        aliases={
            **PARTNER_ALIASES,
            "partner_name": PARTNER_ALIASES["partner_name"] + ("Associated Company",),
            "first_name": ("First", "First Name", "Given Name", "Firstname"),
            "last_name": ("Last", "Last Name", "Surname", "Family Name", "Lastname"),
            "role": ("Title", "Job Title", "Position", "Contact Role"),
            "email": ("E-mail", "Email Address", "E-mail Address", "Mail"),
            "phone": ("Phone Number", "Direct Phone", "Telephone", "Tel", "Mobile", "Cell"),
            "email_opt_out": (
                "Opt Out",
                "Opted Out",
                "Unsubscribed",
                "Do Not Email",
                "Email Opt Out",
            ),
            "npi": ("NPI Number", "NPI #"),
            "notes": ("Note", "Comments", "Comment"),
        },
        # HubSpot's contacts export names the contact's associated company and, as a
        # typed property, a company name: the association wins when both are there.
        fallbacks={"partner_name": ("Company Name",)},
    )
    stored_columns = tuple(ContactInput.model_fields) + ("partner_id",)

    def load(self, session: Session, rows: list[Candidate], zone: tzinfo) -> None:
        super().load(session, rows, zone)
        partners = PartnerFinder(session, rows)
        for row in rows:
            partners.resolve(row)
            row.key = _key(row)

    def existing(self, session: Session, keys: set[Hashable]) -> dict[Hashable, Stored]:
        table = self.table
        columns = (table.c.id, *(table.c[n] for n in self.stored_columns))
        emails = sorted(k[1] for k in keys if k and k[0] == "email")
        partners = sorted({k[1] for k in keys if k and k[0] == "name"})
        found: list[Stored] = []
        for batch in chunks(emails):
            query = select(*columns).where(func.lower(table.c.email).in_(batch))
            found.extend(self.stored_of(row) for row in session.execute(query))
        for batch in chunks(partners):
            query = select(*columns).where(table.c.partner_id.in_(batch), table.c.email.is_(None))
            found.extend(self.stored_of(row) for row in session.execute(query))
        return first_by(found, _stored_key)

    def stored_values(
        self, data: BaseModel, merged: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        return {**data.model_dump(), "partner_id": merged["partner_id"]}

    def export_query(self) -> Select:
        table, partner = self.table, Partner.__table__
        return (
            select(
                partner.c.name.label("partner_name"),
                partner.c.address.label("partner_address"),
                *(table.c[n] for n in ContactInput.model_fields),
            )
            .select_from(table.join(partner, table.c.partner_id == partner.c.id))
            .order_by(table.c.id)
        )


def _key(row: Candidate) -> Hashable | None:
    if "email" in row.cells:
        try:
            return ("email", validation.email(row.cells["email"]))
        except ValueError:
            return None
    if "partner_id" not in row.fields:
        return None
    return (
        "name",
        row.fields["partner_id"],
        row.cells.get("first_name", "").lower(),
        row.cells.get("last_name", "").lower(),
    )


def _stored_key(stored: Stored) -> Hashable:
    values = stored.values
    if values["email"]:
        return ("email", values["email"].lower())
    return ("name", values["partner_id"], values["first_name"].lower(), values["last_name"].lower())
