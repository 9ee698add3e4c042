"""The practice's own clinics."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, field_validator
from sqlmodel import Session, select

from crm import audit, validation
from crm.access import Actor, require_editor
from crm.errors import Conflict, NotFound
from crm.fields import Phone, State, Zip, text
from crm.models import Location


class LocationInput(BaseModel):
    name: text(120, required=True)
    address: text(200) = ""
    city: text(80) = ""
    state: State = ""
    zip: Zip = ""
    phone: Phone = ""
    fax: Phone = ""
    timezone: str = "America/New_York"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        validation.time_zone(value)
        return value


def create_location(session: Session, actor: Actor, data: LocationInput, now: datetime) -> Location:
    require_editor(actor)
    _unique_name(session, data.name, None)
    location = Location(**data.model_dump(), created_at=now)
    session.add(location)
    session.flush()
    audit.record(session, actor, "create", "location", location.id, data.model_dump(), now)
    return location


def list_locations(session: Session) -> list[Location]:
    return list(session.exec(select(Location).order_by(Location.name)))


def location_by_name(session: Session) -> dict[str, int]:
    """Lower-cased name to id, for imports that name a clinic."""
    return {name.lower(): id_ for id_, name in session.exec(select(Location.id, Location.name))}


def update_location(
    session: Session, actor: Actor, location_id: int, data: LocationInput, now: datetime
) -> Location:
    require_editor(actor)
    location = session.get(Location, location_id)
    if location is None:
        raise NotFound(f"no clinic with id {location_id}")
    _unique_name(session, data.name, location_id)
    before = {k: getattr(location, k) for k in LocationInput.model_fields}
    changes = {k: v for k, v in data.model_dump().items() if before[k] != v}
    for name, value in changes.items():
        setattr(location, name, value)
    session.flush()
    if changes:
        audit.record(session, actor, "update", "location", location.id, changes, now)
    return location


def _unique_name(session: Session, name: str, location_id: int | None) -> None:
    other = session.exec(select(Location.id).where(Location.name == name)).first()
    if other is not None and other != location_id:
        raise Conflict(f"there is already a clinic named {name!r}")
