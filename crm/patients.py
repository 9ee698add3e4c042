"""Patients: the minimum for referral follow-up and review requests (name, contact,
consent, location). Nothing clinical is accepted here or stored anywhere."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, model_validator
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.fields import Email, Phone, text
from crm.models import Patient


class PatientInput(BaseModel):
    first_name: text(80, required=True)
    last_name: text(80, required=True)
    email: Email = None
    phone: Phone = ""
    consent_to_contact: bool = False
    consent_at: datetime | None = None
    consent_source: text(80) = ""
    location_id: int | None = None

    @model_validator(mode="after")
    def _consent_is_recorded(self) -> PatientInput:
        if self.consent_to_contact and not self.consent_source:
            raise ValueError("consent to contact needs its source (for instance 'intake form')")
        if not self.consent_to_contact:
            self.consent_at = None
        return self


def create_patient(session: Session, actor: Actor, data: PatientInput, now: datetime) -> Patient:
    require_editor(actor)
    values = data.model_dump()
    if values["consent_to_contact"] and values["consent_at"] is None:
        values["consent_at"] = now
    patient = Patient(**values, created_at=now, updated_at=now)
    session.add(patient)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "patient",
        patient.id,
        {"consent": patient.consent_to_contact},
        now,
    )
    return patient
