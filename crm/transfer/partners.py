"""Partners in and out. A row is the partner with the same name and address
(`crm.partners.match_key`); its owner is named by a user's email; its contact columns,
if any, are the partner's main contact (`crm.transfer.main_contact`)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlmodel import Session

import crm.transfer.main_contact as main_contact
from crm import positions
from crm.access import Actor
from crm.models import Contact, Partner, User
from crm.partners import PartnerInput, match_key
from crm.transfer.columns import Columns
from crm.transfer.entity import Candidate, Entity, Stored, Written, chunks, first_by
from crm.transfer.lookups import user_ids
from crm.transfer.report import ImportReport

_FIELDS = tuple(PartnerInput.model_fields)


class Partners(Entity):
    name = "partners"
    audit_name = "partner"
    table = Partner.__table__
    related_tables = (Contact.__table__,)
    model = PartnerInput
    columns = Columns(
        names=(
            "name",
            "partner_type",
            "specialty",
            "address",
            "city",
            "state",
            "zip",
            "phone",
            "fax",
            "website",
            "territory",
            "tier",
            "owner",
            "referral_channel",
            "status",
            "sports",
            "tags",
            "notes",
        ),
        required=("name", "partner_type"),
        aliases={
            "name": (
                "Practice Name",
                "Practice",
                "Partner",
                "Partner Name",
                "Org",
                "Organization",
                "Organisation",
                "Organization Name",
                "Company",
                "Company Name",
                "Clinic",
                "Account",
                "Account Name",
            ),
            "partner_type": (
                "Type",
                "Partner Type",
                "Category",
                "Kind",
                "Org Type",
                "Organization Type",
            ),
            "specialty": ("Speciality", "Specialities", "Specialties"),
            "address": (
                "Street",
                "Street Address",
                "Address 1",
                "Address1",
                "Address Line 1",
                "Billing Street",
            ),
            "city": ("Billing City",),
            "zip": (
                "Zip Code",
                "Zipcode",
                "Postal Code",
                "Postcode",
                "ZIP+4",
                "Billing Zip/Postal Code",
            ),
            "state": ("ST", "State Code", "Province", "State/Region", "Billing State/Province"),
            "phone": ("Phone Number", "Telephone", "Tel", "Main Phone", "Office Phone"),
            "fax": ("Fax Number", "Fax #"),
            "website": ("Web Site", "URL", "Web", "Homepage", "Website URL"),
            "territory": ("Region", "Area"),
            "tier": ("Priority",),
            "owner": ("Owner Email", "Liaison", "Liaison Email", "Assigned To", "Account Owner"),
            "referral_channel": ("Channel", "Preferred Channel", "Referral Method"),
            "status": ("Partner Status", "Stage"),
            "sports": ("Sport",),
            "tags": ("Tag", "Labels"),
            "notes": ("Note", "Comments", "Comment"),
            **main_contact.ALIASES,
        },
        extra=main_contact.COLUMNS,
        # HubSpot's companies export has no partner type or website of its own: its
        # Industry and Company Domain Name stand in when no other column says; so
        # does the office's Email for the main contact's.
        fallbacks={
            "partner_type": ("Industry",),
            "website": ("Company Domain Name",),
            **main_contact.FALLBACKS,
        },
    )
    stored_columns = _FIELDS + ("match_key",) + positions.COLUMNS
    column_of = {"owner_id": "owner"}

    def load(self, session: Session, rows: list[Candidate], zone: tzinfo) -> None:
        super().load(session, rows, zone)
        owners = user_ids(session, {r.cells["owner"] for r in rows if "owner" in r.cells})
        for row in rows:
            owner = row.fields.pop("owner", None)
            if owner is not None:
                if owner.lower() in owners:
                    row.fields["owner_id"] = owners[owner.lower()]
                else:
                    row.reject("owner", f"no user with email {owner!r}")
            main_contact.take(row)
            row.key = match_key(row.cells.get("name", ""), row.cells.get("address", ""))

    def existing(self, session: Session, keys: set[Hashable]) -> dict[Hashable, Stored]:
        table = self.table
        found: list[Stored] = []
        for batch in chunks(sorted(k for k in keys if isinstance(k, str))):
            query = select(table.c.id, *(table.c[n] for n in self.stored_columns)).where(
                table.c.match_key.in_(batch)
            )
            found.extend(self.stored_of(row) for row in session.execute(query))
        return first_by(found, lambda s: s.values["match_key"])

    def write_related(
        self,
        session: Session,
        actor: Actor,
        rows: list[Candidate],
        changes: Sequence[Written],
        now: datetime,
        report: ImportReport,
    ) -> None:
        main_contact.write_contacts(session, actor, rows, changes, now, report)

    def stored_values(
        self, data: BaseModel, merged: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        """With the position for the row's address: the stored one if the address is
        unchanged, else the ZIP centre (a lookup in memory, no query per row)."""
        values = data.model_dump()
        return {
            **values,
            "match_key": match_key(values["name"], values["address"]),
            **positions.position_values(values, merged),
        }

    def export_query(self) -> Select:
        table = self.table
        return (
            select(
                *(table.c[n] for n in _FIELDS if n != "owner_id"),
                User.__table__.c.email.label("owner"),
            )
            .select_from(table.outerjoin(User.__table__, table.c.owner_id == User.__table__.c.id))
            .order_by(table.c.id)
        )
