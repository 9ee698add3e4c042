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


def follow(session: Session, link: ReviewLink, now: datetime) -> str | None:
    """The location's review page, after recording the click (a request keeps its first
    click time) or the front-desk QR scan (no patient: an audit entry on the location).
    None when the request or location is gone or has no review page."""
    if link.kind == REQUEST:
        return _follow_request(session, link.id, now)
    url = session.execute(select(Location.review_url).where(Location.id == link.id)).scalar_one_or_none()
    if not url:
        return None
    audit.record(session, SYSTEM, QR_SCAN, "location", link.id, {}, now)
    return url


def _follow_request(session: Session, request_id: int, now: datetime) -> str | None:
    url = session.execute(select(Location.review_url).join(ReviewRequest, ReviewRequest.location_id == Location.id)
                          .where(ReviewRequest.id == request_id)).scalar_one_or_none()
    if not url:
        return None
    session.execute(update(ReviewRequest).where(ReviewRequest.id == request_id, ReviewRequest.clicked_at.is_(None))
                    .values(clicked_at=now, status=CLICKED))
    return url
