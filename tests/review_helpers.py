"""Rows and settings for the review request tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select, update

from crm.models import Location, Message, Patient, ReviewRequest, Visit
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_location, make_patient

KEY = "test-secret-key"
REVIEW_PAGE = "https://g.page/r/main-street-clinic/review"


def settings(**fields: Any) -> Settings:
    return Settings(_env_file=None, secret_key=KEY, public_url="https://crm.example.org", **fields)


def clinic(session: Session, review_url: str = REVIEW_PAGE, **fields: Any) -> Location:
    return make_location(session, review_url=review_url, **fields)


def make_visit(
    session: Session,
    patient: Patient,
    location: Location,
    visit_at: datetime = NOW - timedelta(days=2),
    **fields: Any,
) -> Visit:
    visit = Visit(
        **{
            "patient_id": patient.id,
            "location_id": location.id,
            "visit_at": visit_at,
            "completed": True,
            "created_at": NOW,
            **fields,
        }
    )
    session.add(visit)
    session.commit()
    return visit


def visited(
    session: Session, location: Location | None = None, days_ago: float = 2, **patient: Any
) -> Visit:
    """A patient (consenting unless told otherwise) and their completed visit."""
    return make_visit(
        session,
        make_patient(session, **patient),
        location or clinic(session),
        NOW - timedelta(days=days_ago),
    )


def keys(session: Session) -> list[str]:
    session.expire_all()
    return list(session.exec(select(Message.idempotency_key).order_by(Message.id)))


def requests(session: Session) -> list[ReviewRequest]:
    session.expire_all()
    return list(session.exec(select(ReviewRequest).order_by(ReviewRequest.id)))


def mark_sent(session: Session, at: datetime) -> None:
    """What the dispatcher records for every queued message (the planner tests stop short
    of sending; the end-to-end tests send through the local SendGrid)."""
    session.execute(
        update(Message).where(Message.status == "queued").values(status="sent", sent_at=at)
    )
    session.commit()
