"""Visits in and out: the patient (by email, else by first name, last name and phone,
as the patient import matches them), the clinic by name, the date and whether the visit
was completed. Nothing else: no reason, provider or service. A row is the visit of the
same patient at the same time, so importing the same file twice changes nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from datetime import datetime, tzinfo
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlmodel import Session

from crm import validation
from crm.models import Location, Patient, Visit
from crm.transfer.columns import Columns
from crm.transfer.entity import Candidate, Entity, Stored, chunks, first_by
from crm.transfer.lookups import location_ids, patient_ids, resolve_location
from crm.visits import VisitInput

_PATIENT = ("patient_email", "patient_first_name", "patient_last_name", "patient_phone")


class Visits(Entity):
    name = "visits"
    audit_name = "visit"
    table = Visit.__table__
    model = VisitInput
    columns = Columns(
        names=(*_PATIENT, "location", "visit_at", "completed"),
        required=("location", "visit_at"),
        aliases={
            "patient_email": ("Patient", "Patient E-mail", "Email", "E-mail"),
            "patient_first_name": ("Patient First Name", "First Name", "First"),
            "patient_last_name": ("Patient Last Name", "Last Name", "Last", "Surname"),
            "patient_phone": ("Patient Phone", "Phone", "Phone Number", "Mobile"),
            "location": ("Clinic", "Location Name", "Site"),
            "visit_at": ("Visit Date", "Visit", "Date of Visit", "Appointment", "Seen", "Date"),
            "completed": ("Attended", "Done"),
        },
    )
    stored_columns = ("patient_id", "location_id", "visit_at", "completed")
    date_columns = ("visit_at",)
    column_of = {"patient_id": "patient_email", "location_id": "location"}

    def load(self, session: Session, rows: list[Candidate], zone: tzinfo) -> None:
        super().load(session, rows, zone)
        locations = location_ids(session)
        by_email = patient_ids(
            session, {r.cells["patient_email"] for r in rows if "patient_email" in r.cells}
        )
        by_name = _patients_by_name(session, rows)
        for row in rows:
            resolve_location(row, locations)
            _resolve_patient(row, by_email, by_name)
            visit_at = row.fields.get("visit_at")
            if "patient_id" in row.fields and isinstance(visit_at, datetime):
                row.key = ("visit", row.fields["patient_id"], visit_at)

    def existing(self, session: Session, keys: set[Hashable]) -> dict[Hashable, Stored]:
        table = self.table
        columns = (table.c.id, *(table.c[n] for n in self.stored_columns))
        found: list[Stored] = []
        for batch in chunks(sorted({k[1] for k in keys if k})):
            found.extend(
                self.stored_of(row)
                for row in session.execute(select(*columns).where(table.c.patient_id.in_(batch)))
            )
        by_key = first_by(found, lambda s: ("visit", s.values["patient_id"], s.values["visit_at"]))
        return {key: stored for key, stored in by_key.items() if key in keys}

    def stored_values(
        self, data: BaseModel, merged: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        return data.model_dump()

    def export_query(self) -> Select:
        table, patient, location = self.table, Patient.__table__, Location.__table__
        return (
            select(
                patient.c.email.label("patient_email"),
                patient.c.first_name.label("patient_first_name"),
                patient.c.last_name.label("patient_last_name"),
                patient.c.phone.label("patient_phone"),
                location.c.name.label("location"),
                table.c.visit_at,
                table.c.completed,
            )
            .select_from(
                table.join(patient, table.c.patient_id == patient.c.id).outerjoin(
                    location, table.c.location_id == location.c.id
                )
            )
            .order_by(table.c.id)
        )


def _name_key(first: str, last: str, phone: str) -> tuple[str, str, str]:
    return (first.lower(), last.lower(), phone)


def _patients_by_name(
    session: Session, rows: list[Candidate]
) -> dict[tuple[str, str, str], list[int]]:
    """(first, last, phone) -> patient ids, for rows that name the patient without an email."""
    last_names = {
        r.cells["patient_last_name"].lower()
        for r in rows
        if "patient_email" not in r.cells and "patient_last_name" in r.cells
    }
    found: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for batch in chunks(sorted(last_names)):
        query = (
            select(Patient.id, Patient.first_name, Patient.last_name, Patient.phone)
            .where(func.lower(Patient.last_name).in_(batch))
            .order_by(Patient.id)
        )
        for id_, first, last, phone in session.execute(query):
            found[_name_key(first, last, phone)].append(id_)
    return found


def _resolve_patient(
    row: Candidate, by_email: dict[str, int], by_name: dict[tuple[str, str, str], list[int]]
) -> None:
    cells = {name: row.fields.pop(name, None) for name in _PATIENT}
    if cells["patient_email"]:
        _by_email(row, cells["patient_email"], by_email)
    elif cells["patient_first_name"] and cells["patient_last_name"]:
        _by_name(row, cells, by_name)
    else:
        row.reject("patient_email", "required, or the patient's first name, last name and phone")


def _by_email(row: Candidate, email: str, by_email: dict[str, int]) -> None:
    if email.lower() in by_email:
        row.fields["patient_id"] = by_email[email.lower()]
    else:
        row.reject("patient_email", f"no patient with email {email!r}; import the patient first")


def _by_name(
    row: Candidate, cells: dict[str, str | None], by_name: dict[tuple[str, str, str], list[int]]
) -> None:
    try:
        phone = validation.phone(cells["patient_phone"]) if cells["patient_phone"] else ""
    except ValueError as exc:
        row.reject("patient_phone", str(exc))
        return
    matches = by_name.get(
        _name_key(cells["patient_first_name"] or "", cells["patient_last_name"] or "", phone), []
    )
    if len(matches) == 1:
        row.fields["patient_id"] = matches[0]
    elif matches:
        row.reject(
            "patient_email",
            f"{len(matches)} patients have this name and phone: give the patient's email",
        )
    else:
        row.reject("patient_email", "no patient with this name and phone; import the patient first")
