"""Patients' visits: when and where, never why. A completed visit is what a review
request follows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, field_validator
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.errors import InvalidInput
from crm.models import Location, Patient, Visit


class VisitInput(BaseModel):
    patient_id: int
    location_id: int
    visit_at: datetime
    completed: bool = True

    @field_validator("visit_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a time zone")
        return value


def record_visit(session: Session, actor: Actor, data: VisitInput, now: datetime) -> Visit:
    require_editor(actor)
    if session.get(Patient, data.patient_id) is None:
        raise InvalidInput(f"no patient with id {data.patient_id}")
    if session.get(Location, data.location_id) is None:
        raise InvalidInput(f"no location with id {data.location_id}")
    visit = Visit(**data.model_dump(), created_at=now)
    session.add(visit)
    session.flush()
    audit.record(session, actor, "create", "visit", visit.id, {"completed": visit.completed}, now)
    return visit
