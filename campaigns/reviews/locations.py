"""Each location's review page and the front desk's printable QR code of its link."""

from __future__ import annotations

import io
from datetime import datetime
from html import escape

import qrcode
import qrcode.image.svg
from pydantic import BaseModel, field_validator
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.errors import InvalidInput
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


def set_review_url(
    session: Session, actor: Actor, location_id: int, review_url: str, now: datetime
) -> Location:
    """Empty means the location has no review page: its patients are not asked."""
    require_editor(actor)
    data = ReviewUrlInput(review_url=review_url)
    location = session.get(Location, location_id)
    if location is None:
        raise InvalidInput(f"no location with id {location_id}")
    before, location.review_url = location.review_url, data.review_url
    session.add(location)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "location",
        location.id,
        {"review_url": [before, data.review_url]},
        now,
    )
    return location


def qr_svg(link: str) -> str:
    """An SVG QR code of the link (no Pillow needed), with a quiet zone for printing."""
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, border=4)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode()


def printable_page(practice_name: str, location_name: str, link: str) -> str:
    """A page for the front desk to print: the clinic, the QR code and the link itself."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review us · {escape(location_name)}</title>
<style>body{{font-family:system-ui,sans-serif;text-align:center;margin:3rem}}
.qr svg{{width:9cm;height:9cm}} .link{{font-size:.8rem;word-break:break-all;color:#444}}</style></head>
<body><h1>{escape(practice_name)}</h1><h2>{escape(location_name)}</h2>
<p>Thank you for visiting. Scan to tell others about your experience.</p>
<div class="qr">{_inline(qr_svg(link))}</div><p class="link">{escape(link)}</p></body></html>"""


def _inline(svg: str) -> str:
    """The SVG element without its XML declaration, to sit inside HTML."""
    return svg[svg.index("<svg") :]
