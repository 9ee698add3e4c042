"""Each location's review page and the front desk's printable QR code of its link."""
from __future__ import annotations

import io
from datetime import datetime

import qrcode
import qrcode.image.svg
from pydantic import BaseModel, field_validator
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.models import Location


class ReviewUrlInput(BaseModel):
    review_url: str

    @field_validator("review_url")
    @classmethod
    def _https(cls, value: str) -> str:
        value = value.strip()
        if value and (not value.startswith("https://") or len(value) > 500 or " " in value):
            raise ValueError("a review page must be an https:// link of at most 500 characters")
        return value


def set_review_url(session: Session, actor: Actor, location_id: int, review_url: str, now: datetime) -> Location:
    """Empty means the location has no review page: its patients are not asked."""
    require_editor(actor)
    data = ReviewUrlInput(review_url=review_url)
    location = session.get(Location, location_id)
    if location is None:
        raise ValueError(f"no location with id {location_id}")
    before, location.review_url = location.review_url, data.review_url
    session.add(location)
    session.flush()
    audit.record(session, actor, "update", "location", location.id, {"review_url": [before, data.review_url]}, now)
    return location


def qr_svg(link: str) -> str:
    """An SVG QR code of the link (no Pillow needed), with a quiet zone for printing."""
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, border=4)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode()
