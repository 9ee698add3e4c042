"""Patients in and out: name, contact details, consent and clinic, nothing clinical. A
row is the patient with the same email; a row without an email is the patient with the
same first name, last name (in any case) and phone."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, tzinfo
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlmodel import Session

from crm import validation
from crm.models import Location, Patient
from crm.patients import PatientInput
from crm.transfer.columns import Columns
from crm.transfer.entity import Candidate, Entity, Stored, chunks, first_by
from crm.transfer.lookups import location_ids, resolve_location


class Patients(Entity):
    name = "patients"
    audit_name = "patient"
    table = Patient.__table__
    model = PatientInput
    columns = Columns(
        names=(
            "first_name",
            "last_name",
            "email",
            "phone",
            "consent_to_contact",
            "consent_at",
            "consent_source",
            "location",
        ),
        required=("first_name", "last_name"),
        aliases={
            "first_name": ("First", "First Name", "Given Name", "Firstname", "Patient First Name"),
            "last_name": (
                "Last",
                "Last Name",
                "Surname",
                "Family Name",
                "Lastname",
                "Patient Last Name",
            ),
            "email": ("E-mail", "Email Address", "E-mail Address", "Patient Email"),
            "phone": ("Phone Number", "Telephone", "Tel", "Mobile", "Cell", "Patient Phone"),
            "consent_to_contact": ("Consent", "Consented", "Opted In", "May Contact"),
            "consent_at": ("Consent Date", "Consented At", "Consent Given"),
            "consent_source": ("Consent Source", "Source of Consent"),
            "location": ("Clinic", "Location Name", "Site"),
        },
    )
    stored_columns = tuple(PatientInput.model_fields)
    date_columns = ("consent_at",)
    column_of = {"location_id": "location"}

    def load(self, session: Session, rows: list[Candidate], zone: tzinfo) -> None:
        super().load(session, rows, zone)
        locations = location_ids(session)
        for row in rows:
            resolve_location(row, locations)
            row.key = _key(row)

    def existing(self, session: Session, keys: set[Hashable]) -> dict[Hashable, Stored]:
        table = self.table
        columns = (table.c.id, *(table.c[n] for n in self.stored_columns))
        emails = sorted(k[1] for k in keys if k and k[0] == "email")
        last_names = sorted({k[2] for k in keys if k and k[0] == "name"})
        found: list[Stored] = []
        for batch in chunks(emails):
            query = select(*columns).where(func.lower(table.c.email).in_(batch))
            found.extend(self.stored_of(row) for row in session.execute(query))
        by_email = first_by(found, lambda s: ("email", (s.values["email"] or "").lower()))
        named: list[Stored] = []
        for batch in chunks(last_names):
            query = select(*columns).where(func.lower(table.c.last_name).in_(batch))
            named.extend(self.stored_of(row) for row in session.execute(query))
        by_name = first_by(named, _name_key)
        return {key: stored for key, stored in {**by_name, **by_email}.items() if key in keys}

    def stored_values(
        self, data: BaseModel, merged: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        values = data.model_dump()
        if values["consent_to_contact"] and values["consent_at"] is None:
            values["consent_at"] = now
        return values

    def export_query(self) -> Select:
        table, location = self.table, Location.__table__
        return (
            select(
                *(table.c[n] for n in PatientInput.model_fields if n != "location_id"),
                location.c.name.label("location"),
            )
            .select_from(table.outerjoin(location, table.c.location_id == location.c.id))
            .order_by(table.c.id)
        )


def _key(row: Candidate) -> Hashable | None:
    cells = row.cells
    try:
        if "email" in cells:
            return ("email", validation.email(cells["email"]))
        phone = validation.phone(cells["phone"]) if "phone" in cells else ""
    except ValueError:
        return None
    return ("name", cells.get("first_name", "").lower(), cells.get("last_name", "").lower(), phone)


def _name_key(stored: Stored) -> Hashable:
    values = stored.values
    return ("name", values["first_name"].lower(), values["last_name"].lower(), values["phone"])
