"""Where distances are measured from: a ZIP the user names, or one of the practice's
own clinics (its ZIP), since prospects are worth most near where patients are seen."""

from __future__ import annotations

from sqlmodel import Session, select

from crm.errors import InvalidInput, NotFound
from crm.models import Location
from crm.prospects import geo


def origin_for(
    session: Session, *, near_zip: str = "", location: str = ""
) -> tuple[float, float] | None:
    """The centre to measure from; None when neither is given."""
    if near_zip and location:
        raise InvalidInput("measure from a ZIP or from a clinic, not both")
    if location:
        clinic = session.exec(select(Location).where(Location.name == location.strip())).first()
        if clinic is None:
            raise NotFound(f"no clinic named {location!r}")
        if not clinic.zip:
            raise InvalidInput(f"the clinic {clinic.name!r} has no ZIP code to measure from")
        near_zip = clinic.zip
    if not near_zip:
        return None
    point = geo.centroid(near_zip)
    if point is None:
        raise InvalidInput(f"unknown ZIP code {near_zip!r}: no centre to measure miles from")
    return point
