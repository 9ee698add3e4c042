"""Sending the quarter's survey and its one reminder.

A marketer picks a segment and the contact roles to ask; every such contact with an
address gets a survey request for the quarter, at most one per contact and quarter (the
table's unique key), so sending the same quarter again asks only contacts new to the
segment and says how many were asked already. The email goes through the post box with
an idempotency key naming the quarter and the contact; the reminder has a key of its
own, so a rerun never sends either twice.

The reminder goes once, `REMINDER_AFTER` after the survey, to requests nobody answered;
the pass reads only requests without an answer or reminder sent in the window before
the reminder became due (ix_survey_request_due), so its cost follows what is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, exists, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns import post
from campaigns.post import Draft, TemplateSource
from campaigns.surveys.links import score_links, survey_url
from crm import audit
from crm.access import Actor, require_editor
from crm.clock import Clock
from crm.db import insert_for, session_scope
from crm.errors import InvalidInput
from crm.models import Contact, Message, Partner, SurveyRequest
from crm.segments.service import get_segment, member_ids_select
from crm.settings import Settings
from crm.surveys import quarter_of
from crm.vocab import ContactRole, MessageStatus

TEMPLATE = "partner_survey"
KIND = "survey"
REMINDER_AFTER = timedelta(days=7)
# An unanswered survey this much past its reminder's due time gets none: a reminder
# weeks late reads oddly, and the bound keeps the pass to what is due.
STALE_AFTER = timedelta(days=21)
EVERY_SECONDS = 3600


@dataclass(frozen=True)
class SendReport:
    quarter: str
    queued: int  # new requests, each with its email queued
    skipped: int  # contacts asked this quarter already
    without_email: int  # contacts of the chosen roles with no address


@dataclass(frozen=True)
class _Due:
    request_id: int
    contact_id: int
    partner_id: int
    partner_name: str
    first_name: str
    last_name: str
    email: str
    message_key: str


def message_key(quarter: str, contact_id: int) -> str:
    return f"survey:{quarter}:{contact_id}"


def send_quarter_survey(
    session: Session,
    settings: Settings,
    actor: Actor,
    segment_id: int,
    roles: list[str],
    now: datetime,
) -> SendReport:
    """Asks the segment's contacts of these roles for this quarter's feedback."""
    require_editor(actor)
    if not roles:
        raise InvalidInput("choose at least one contact role to ask")
    chosen = sorted({ContactRole.parse(role).value for role in roles})
    segment = get_segment(session, segment_id)
    quarter = quarter_of(now, settings.zone)
    people = session.execute(
        select(Contact.id, Contact.partner_id, Contact.email)
        .join(Partner, Partner.id == Contact.partner_id)
        .where(
            Contact.partner_id.in_(member_ids_select(session, segment.id, now)),
            Contact.role.in_(chosen),
            Contact.archived_at.is_(None),
            Partner.archived_at.is_(None),
        )
        .order_by(Contact.id)
    ).all()
    reachable = [(cid, pid) for cid, pid, email in people if (email or "").strip()]
    new_ids = _create_requests(session, reachable, quarter, actor, now)
    due = _due(session, SurveyRequest.id.in_(new_ids)) if new_ids else []
    _send(session, settings, actor.name, due, reminder=False, now=now)
    report = SendReport(
        quarter=quarter,
        queued=len(new_ids),
        skipped=len(reachable) - len(new_ids),
        without_email=len(people) - len(reachable),
    )
    audit.record(
        session,
        actor,
        "send_survey",
        "segment",
        segment.id,
        {"quarter": quarter, "roles": chosen, "queued": report.queued, "skipped": report.skipped},
        now,
    )
    return report


def _create_requests(
    session: Session, people: list[tuple[int, int]], quarter: str, actor: Actor, now: datetime
) -> list[int]:
    """The ids of the requests made now; a contact asked this quarter already (even by a
    send running at the same moment) gets none, by the unique key."""
    if not people:
        return []
    rows = [
        {
            "contact_id": cid,
            "partner_id": pid,
            "quarter": quarter,
            "message_key": message_key(quarter, cid),
            "sent_at": now,
            "comment": "",
            "sent_by": actor.id,
        }
        for cid, pid in people
    ]
    statement = (
        insert_for(session, SurveyRequest)
        .on_conflict_do_nothing(index_elements=["contact_id", "quarter"])
        .returning(SurveyRequest.__table__.c.id)
    )
    return [row[0] for row in session.connection().execute(statement, rows)]


def send_reminders(session: Session, settings: Settings, now: datetime) -> int:
    """The one reminder, to each request sent at least REMINDER_AFTER ago whose survey
    email went out, still unanswered and not reminded. Returns how many were queued."""
    due = [_Due(*row) for row in session.execute(due_reminders_select(now))]
    if not due:
        return 0
    queued = _send(session, settings, settings.practice_name, due, reminder=True, now=now)
    session.execute(
        update(SurveyRequest)
        .where(SurveyRequest.id.in_([d.request_id for d in due]))
        .values(reminded_at=now)
    )
    return queued


def due_reminders_select(now: datetime) -> Select:
    """The requests whose reminder is due at `now`: a range of ix_survey_request_due
    (no answer, no reminder, sent in the window), each checked against its message by
    the outbox's unique key."""
    due_before = now - REMINDER_AFTER
    return _due_select(
        and_(
            SurveyRequest.answered_at.is_(None),
            SurveyRequest.reminded_at.is_(None),
            SurveyRequest.sent_at <= due_before,
            SurveyRequest.sent_at > due_before - STALE_AFTER,
            exists().where(
                Message.idempotency_key == SurveyRequest.message_key,
                Message.status == MessageStatus.SENT.value,
            ),
        )
    )


def reminders_job(engine: Engine, settings: Settings, clock: Clock) -> str:
    with session_scope(engine) as session:
        return f"survey reminders: {send_reminders(session, settings, clock())}"


def _due(session: Session, condition) -> list[_Due]:  # type: ignore[no-untyped-def]
    return [_Due(*row) for row in session.execute(_due_select(condition))]


def _due_select(condition) -> Select:  # type: ignore[no-untyped-def]
    return (
        select(
            SurveyRequest.id,
            Contact.id,
            Partner.id,
            Partner.name,
            Contact.first_name,
            Contact.last_name,
            Contact.email,
            SurveyRequest.message_key,
        )
        .join(Contact, Contact.id == SurveyRequest.contact_id)
        .join(Partner, Partner.id == SurveyRequest.partner_id)
        .where(condition, Contact.email.is_not(None))
        .order_by(SurveyRequest.id)
    )


def _send(
    session: Session,
    settings: Settings,
    sender: str,
    due: list[_Due],
    *,
    reminder: bool,
    now: datetime,
) -> int:
    if not due:
        return 0
    source = post.office().effective_template(session, TEMPLATE)
    drafts = [_draft(session, settings, item, sender, source, reminder, now) for item in due]
    return post.office().enqueue_many(session, drafts, now)


def _draft(
    session: Session,
    settings: Settings,
    item: _Due,
    sender: str,
    source: TemplateSource,
    reminder: bool,
    now: datetime,
) -> Draft:
    links = score_links(settings, item.request_id)
    variables = {
        "contact_first_name": item.first_name,
        "partner_name": item.partner_name,
        "sender_name": sender,
        "reminder": "yes" if reminder else "",
        "survey_url": survey_url(settings, item.request_id),
        **{f"{question}_links": urls for question, urls in links.items()},
    }
    return post.office().compose(
        session,
        settings,
        template=TEMPLATE,
        variables=variables,
        idempotency_key=f"{item.message_key}:reminder" if reminder else item.message_key,
        kind=KIND,
        to_email=item.email.strip().lower(),
        to_name=f"{item.first_name} {item.last_name}".strip(),
        now=now,
        contact_id=item.contact_id,
        partner_id=item.partner_id,
        source=f"partner survey {'reminder ' if reminder else ''}{item.request_id}",
        template_source=source,
    )
