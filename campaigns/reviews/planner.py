"""Which review requests and reminders are due, and putting them in the outbox.

A pass reads only what is due: completed visits between the delay and the staleness
bound (ix_visit_when) whose patient consents, has an email, and was not asked within
the period, and whose visit has no request yet; and requests still waiting for their one
reminder. Every eligible patient is asked the same way: nothing here looks at how the
visit went. The send window is applied by the dispatcher, not here.

The one reminder goes only to a request neither opened nor clicked: `opened_at` is a
person's open of the request or its reminder, from SendGrid's Event Webhook
(campaigns/mail/webhook/events.py); Apple Mail's privacy prefetch is a machine open and
does not count, so those patients are still reminded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, true, update
from sqlmodel import Session

from campaigns import post
from campaigns.post import Draft
from campaigns.reviews.links import request_url
from crm.db import insert_for
from crm.models import Location, Message, Patient, ReviewRequest, Visit
from crm.settings import Settings
from crm.vocab import MessageStatus

# A visit (or an unanswered request) this much past its due time is no longer asked
# about: a request weeks after the visit reads oddly, and the bound keeps a pass small
# when years of past visits are imported.
STALE_AFTER = timedelta(days=30)
REQUESTED, REMINDED, CLICKED = "requested", "reminded", "clicked"


@dataclass(frozen=True)
class Due:
    """A request or reminder to send: who, where, and the request it belongs to."""

    request_id: int
    visit_id: int
    patient_id: int
    first_name: str
    email: str
    location_name: str
    timezone: str


@dataclass(frozen=True)
class ReviewPassReport:
    requests: int
    reminders: int


def run_review_pass(session: Session, settings: Settings, now: datetime) -> ReviewPassReport:
    requests = _send(
        session,
        settings,
        _create_requests(session, _due_visits(session, settings, now), now),
        "request",
        now,
    )
    reminders = _send(session, settings, _due_reminders(session, settings, now), "reminder", now)
    return ReviewPassReport(requests, reminders)


def _due_visits(session: Session, settings: Settings, now: datetime) -> list[tuple]:
    """(visit id, patient id, location id), one per patient: their latest due visit."""
    newest = now - timedelta(hours=settings.review_delay_hours)
    asked_within_period = exists().where(
        ReviewRequest.patient_id == Visit.patient_id,
        ReviewRequest.requested_at > now - timedelta(days=settings.review_period_days),
    )
    visit_has_request = exists().where(ReviewRequest.visit_id == Visit.id)
    rows = session.execute(
        select(Visit.id, Visit.patient_id, Visit.location_id)
        .join(Patient, Patient.id == Visit.patient_id)
        .join(Location, Location.id == Visit.location_id)
        .where(
            Visit.visit_at <= newest,
            Visit.visit_at > newest - STALE_AFTER,
            Visit.completed == true(),
            Patient.consent_to_contact == true(),
            Patient.email.is_not(None),
            Patient.email != "",
            Location.review_url != "",
            ~visit_has_request,
            ~asked_within_period,
        )
        .order_by(Visit.patient_id, Visit.visit_at.desc(), Visit.id.desc())
    ).all()
    latest: dict[int, tuple] = {}
    for visit_id, patient_id, location_id in rows:
        latest.setdefault(patient_id, (visit_id, patient_id, location_id))
    return list(latest.values())


def _create_requests(session: Session, visits: list[tuple], now: datetime) -> list[Due]:
    """One request row per visit (unique per visit, so two passes at once make one)."""
    if not visits:
        return []
    rows = [
        {
            "visit_id": v,
            "patient_id": p,
            "location_id": loc,
            "status": REQUESTED,
            "requested_at": now,
        }
        for v, p, loc in visits
    ]
    statement = insert_for(session, ReviewRequest).on_conflict_do_nothing(
        index_elements=["visit_id"]
    )
    new_ids = [
        r[0]
        for r in session.connection().execute(
            statement.returning(ReviewRequest.__table__.c.id), rows
        )
    ]
    return _recipients(session, ReviewRequest.id.in_(new_ids)) if new_ids else []


def _due_reminders(session: Session, settings: Settings, now: datetime) -> list[Due]:
    """Requests whose email went out at least the reminder delay ago, not opened nor
    clicked and not reminded yet, still only for patients who consent."""
    sent_before = now - timedelta(days=settings.review_reminder_days)
    return _recipients(
        session,
        and_(
            ReviewRequest.status == REQUESTED,
            ReviewRequest.requested_at > sent_before - STALE_AFTER,
            ReviewRequest.opened_at.is_(None),
            ReviewRequest.clicked_at.is_(None),
            ReviewRequest.reminded_at.is_(None),
            exists().where(
                Message.id == ReviewRequest.message_id,
                Message.status == MessageStatus.SENT.value,
                Message.sent_at <= sent_before,
            ),
            Patient.consent_to_contact == true(),
        ),
    )


def _recipients(session: Session, condition) -> list[Due]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(
            ReviewRequest.id,
            ReviewRequest.visit_id,
            Patient.id,
            Patient.first_name,
            Patient.email,
            Location.name,
            Location.timezone,
        )
        .join(Patient, Patient.id == ReviewRequest.patient_id)
        .join(Location, Location.id == ReviewRequest.location_id)
        .where(condition, Location.review_url != "", Patient.email.is_not(None))
        .order_by(ReviewRequest.id)
    )
    return [Due(*row) for row in rows]


def _send(session: Session, settings: Settings, due: list[Due], step: str, now: datetime) -> int:
    """Compose and enqueue every email of the step, then tie each to its request."""
    if not due:
        return 0
    template = "review_request" if step == "request" else "review_reminder"
    source = post.office().effective_template(session, template)
    drafts = [_draft(session, settings, item, template, step, source, now) for item in due]
    new = post.office().enqueue_many(session, drafts, now)
    ids = dict(
        session.execute(
            select(Message.idempotency_key, Message.id).where(
                Message.idempotency_key.in_([d.idempotency_key for d in drafts])
            )
        ).all()
    )
    column = "message_id" if step == "request" else "reminder_message_id"
    changes = [
        {"id": item.request_id, column: ids[draft.idempotency_key]}
        for item, draft in zip(due, drafts)
    ]
    if step == "reminder":
        changes = [{**change, "status": REMINDED, "reminded_at": now} for change in changes]
    session.execute(update(ReviewRequest), changes)
    return new


def _draft(
    session: Session, settings: Settings, item: Due, template: str, step: str, source, now: datetime
) -> Draft:  # type: ignore[no-untyped-def]
    # Only these three variables: the templates declare nothing clinical, and nothing
    # about the visit beyond the clinic's name is ever passed in.
    variables = {
        "patient_first_name": item.first_name,
        "location_name": item.location_name,
        "review_url": request_url(settings, item.request_id),
    }
    return post.office().compose(
        session,
        settings,
        template=template,
        variables=variables,
        idempotency_key=f"review:{item.visit_id}:{step}",
        kind="review",
        to_email=item.email,
        to_name=item.first_name,
        now=now,
        patient_id=item.patient_id,
        source=f"review {step} {item.request_id}",
        timezone=item.timezone,
        template_source=source,
    )
