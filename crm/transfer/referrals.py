"""Referrals in and out. A row is the referral with the same partner and partner
reference (the partner's own id for it, unique per partner). A row without a reference
is the referral from the same partner received at the same time for the same service
line that has no reference either: that is as close as a spreadsheet gets to saying
"the same referral". The referring contact and the patient are named by email, the
clinic by name; the stage follows from the dates, as in the app."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime, tzinfo
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, case, select
from sqlmodel import Session

import crm.transfer.referral_report as referral_report
from crm.models import Contact, Location, Partner, Patient, Referral
from crm.referrals import ReferralInput
from crm.transfer.columns import Columns
from crm.transfer.contacts import PARTNER_ALIASES
from crm.transfer.entity import Candidate, Entity, Stored, chunks, first_by
from crm.transfer.lookups import (
    PartnerFinder,
    contacts_by_email,
    location_ids,
    patient_ids,
    resolve_location,
)
from crm.vocab import ReferralStatus, ServiceLine

_DATES = ("received_at", "contacted_at", "scheduled_at", "first_visit_at")
_LOST = case((Referral.__table__.c.status == ReferralStatus.LOST.value, "true"), else_="false")


class Referrals(Entity):
    name = "referrals"
    audit_name = "referral"
    table = Referral.__table__
    model = ReferralInput
    columns = Columns(
        names=(
            "partner_name",
            "partner_address",
            "partner_reference",
            "received_at",
            "channel",
            "service_line",
            "location",
            "contact_email",
            "patient_email",
            "contacted_at",
            "scheduled_at",
            "first_visit_at",
            "lost",
            "lost_reason",
        ),
        required=("partner_name", "received_at"),
        aliases={
            **PARTNER_ALIASES,
            "partner_reference": (
                "Reference",
                "Ref",
                "Referral ID",
                "Referral Number",
                "Partner Ref",
                "External ID",
            ),
            "received_at": ("Received", "Received Date", "Date Received", "Referral Date", "Date"),
            "channel": ("Referral Channel", "Source Channel", "Method"),
            "service_line": ("Service", "Service Line", "Body Part", "Program"),
            "location": ("Clinic", "Location Name", "Site"),
            "contact_email": (
                "Referring Contact",
                "Referring Provider Email",
                "Contact",
                "Contact E-mail",
            ),
            "patient_email": ("Patient", "Patient E-mail"),
            "contacted_at": ("Contacted", "Date Contacted", "First Contact"),
            "scheduled_at": ("Scheduled", "Date Scheduled", "Appointment Date"),
            "first_visit_at": ("First Visit", "First Visit Date", "Visit Date", "Seen"),
            "lost": ("Is Lost",),
            "lost_reason": ("Lost Reason", "Reason Lost", "Reason"),
            **referral_report.ALIASES,
        },
        extra=referral_report.COLUMNS,
        required_unless={"partner_name": "referring_npi"},
    )
    stored_columns = (
        "partner_id",
        "contact_id",
        "patient_id",
        "received_at",
        "partner_reference",
        "channel",
        "service_line",
        "location_id",
        "contacted_at",
        "scheduled_at",
        "first_visit_at",
        "status",
        "lost_reason",
    )
    date_columns = _DATES
    column_of = {
        "contact_id": "contact_email",
        "patient_id": "patient_email",
        "location_id": "location",
    }

    def load(self, session: Session, rows: list[Candidate], zone: tzinfo) -> None:
        super().load(session, rows, zone)
        partners = PartnerFinder(session, rows)
        locations = location_ids(session)
        contacts = contacts_by_email(
            session, {r.cells["contact_email"] for r in rows if "contact_email" in r.cells}
        )
        patients = patient_ids(
            session, {r.cells["patient_email"] for r in rows if "patient_email" in r.cells}
        )
        referral_report.resolve(session, rows)
        for row in rows:
            if "npi_partner_id" in row.related and "partner_name" not in row.fields:
                row.fields["partner_id"] = row.related["npi_partner_id"]
            else:
                partners.resolve(row)
            referral_report.check_partner(row)
            resolve_location(row, locations)
            _resolve_contact(row, contacts)
            _resolve_patient(row, patients)
            row.key = _key(row)

    def existing(self, session: Session, keys: set[Hashable]) -> dict[Hashable, Stored]:
        table = self.table
        columns = (table.c.id, *(table.c[n] for n in self.stored_columns))
        refs = {k for k in keys if k and k[0] == "ref"}
        whens = {k for k in keys if k and k[0] == "when"}
        found: list[Stored] = []
        for batch in chunks(sorted({k[2] for k in refs})):
            query = select(*columns).where(table.c.partner_reference.in_(batch))
            found.extend(self.stored_of(row) for row in session.execute(query))
        for batch in chunks(sorted({k[2] for k in whens})):
            query = select(*columns).where(
                table.c.received_at.in_(batch), table.c.partner_reference.is_(None)
            )
            found.extend(self.stored_of(row) for row in session.execute(query))
        return {key: stored for key, stored in first_by(found, _stored_key).items() if key in keys}

    def model_input(self, stored: dict[str, Any]) -> dict[str, Any]:
        return {**stored, "lost": stored["status"] == ReferralStatus.LOST.value}

    def stored_values(
        self, data: BaseModel, merged: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        assert isinstance(data, ReferralInput)
        return {**data.row_values(now), "partner_id": merged["partner_id"]}

    def export_query(self) -> Select:
        table = self.table
        partner, contact = Partner.__table__, Contact.__table__
        patient, location = Patient.__table__, Location.__table__
        return (
            select(
                partner.c.name.label("partner_name"),
                partner.c.address.label("partner_address"),
                table.c.partner_reference,
                table.c.received_at,
                table.c.channel,
                table.c.service_line,
                location.c.name.label("location"),
                contact.c.email.label("contact_email"),
                patient.c.email.label("patient_email"),
                table.c.contacted_at,
                table.c.scheduled_at,
                table.c.first_visit_at,
                _LOST.label("lost"),
                table.c.lost_reason,
            )
            .select_from(
                table.join(partner, table.c.partner_id == partner.c.id)
                .outerjoin(contact, table.c.contact_id == contact.c.id)
                .outerjoin(patient, table.c.patient_id == patient.c.id)
                .outerjoin(location, table.c.location_id == location.c.id)
            )
            .order_by(table.c.id)
        )


def _resolve_contact(row: Candidate, contacts: dict[str, list[tuple[int, int]]]) -> None:
    email = row.fields.pop("contact_email", None)
    if email is None or "partner_id" not in row.fields:
        return
    found = contacts.get(email.lower(), [])
    here = [id_ for id_, partner_id in found if partner_id == row.fields.get("partner_id")]
    if here:
        row.fields["contact_id"] = here[0]
    elif found:
        row.reject("contact_email", f"{email} works at another partner, not this one")
    else:
        row.reject("contact_email", f"no contact with email {email!r}; import the contact first")


def _resolve_patient(row: Candidate, patients: dict[str, int]) -> None:
    email = row.fields.pop("patient_email", None)
    if email is None:
        return
    if email.lower() in patients:
        row.fields["patient_id"] = patients[email.lower()]
    else:
        row.reject("patient_email", f"no patient with email {email!r}; import the patient first")


def _key(row: Candidate) -> Hashable | None:
    partner_id = row.fields.get("partner_id")
    if partner_id is None:
        return None
    reference = row.cells.get("partner_reference")
    if reference:
        return ("ref", partner_id, reference)
    received = row.fields.get("received_at")
    if not isinstance(received, datetime):
        return None
    try:
        service = ServiceLine.parse(row.cells.get("service_line", ServiceLine.GENERAL.value)).value
    except ValueError:
        return None
    return ("when", partner_id, received, service)


def _stored_key(stored: Stored) -> Hashable:
    values = stored.values
    if values["partner_reference"]:
        return ("ref", values["partner_id"], values["partner_reference"])
    return ("when", values["partner_id"], values["received_at"], values["service_line"])
