"""Following a review link: record it, then say where to send the visitor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from campaigns.reviews.links import REQUEST, ReviewLink
from campaigns.reviews.planner import CLICKED
from crm import audit
from crm.access import SYSTEM
from crm.models import Location, ReviewRequest

QR_SCAN = "qr_scan"


def destination(session: Session, link: ReviewLink) -> str | None:
    """The location's review page, recording nothing (what a HEAD, as a mail scanner
    sends, is told). None when the request or location is gone or has no review page."""
    query = select(Location.review_url)
    if link.kind == REQUEST:
        query = query.join(ReviewRequest, ReviewRequest.location_id == Location.id).where(
            ReviewRequest.id == link.id
        )
    else:
        query = query.where(Location.id == link.id)
    return session.execute(query).scalar_one_or_none() or None


def follow(session: Session, link: ReviewLink, now: datetime) -> str | None:
    """The location's review page, after recording the click (a request keeps its first
    click time) or the front-desk QR scan (no patient: an audit entry on the location)."""
    url = destination(session, link)
    if url is None:
        return None
    if link.kind == REQUEST:
        session.execute(
            update(ReviewRequest)
            .where(ReviewRequest.id == link.id, ReviewRequest.clicked_at.is_(None))
            .values(clicked_at=now, status=CLICKED)
        )
    else:
        audit.record(session, SYSTEM, QR_SCAN, "location", link.id, {}, now)
    return url
