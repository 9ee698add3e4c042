"""The scheduler's side of cadences: read what is due, ask the planner, and do it:
emails into the outbox, tasks for the liaisons, a StepRun for every step done.

A pass reads only active enrolments whose next_due_at has come (ix_enrolment_due), so
its cost grows with what is due, not with the database. Everything it writes is keyed:
emails by enrolment + step + occurrence + recipient, tasks by the same without the
recipient, step runs by (enrolment, step, occurrence), so a pass run twice for the same
time, or by two schedulers at once, creates nothing new."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, true, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns import post
from campaigns.cadences.enrolment import enrol_rule_members, exit_replied, exit_unreachable
from campaigns.cadences.planner import Due, Plan, plan
from campaigns.cadences.state import due_condition, load, practice_zone
from campaigns.cadences.steps import roles_of, values_of
from campaigns.post import Draft, TemplateSource
from crm import practice_calendar
from crm.access import SYSTEM
from crm.business_days import local_date
from crm.clock import Clock
from crm.db import insert_for, session_scope
from crm.models import (
    Cadence,
    CadenceStep,
    Contact,
    Enrolment,
    Partner,
    Segment,
    StepRun,
    Task,
    User,
)
from crm.settings import Settings
from crm.vocab import EnrolmentStatus, StepAction

NO_RECIPIENT = "no_recipient"


@dataclass(frozen=True)
class PassReport:
    enrolments: int
    steps: int
    emails: int
    tasks: int
    completed: int
    exited: int


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    first_name: str
    last_name: str
    role: str
    email: str


@dataclass(frozen=True)
class PartnerInfo:
    name: str
    sports: str
    owner_id: int | None
    owner_name: str


def run_planner_pass(session: Session, settings: Settings, now: datetime) -> PassReport:
    which = due_condition(now)
    exited = exit_unreachable(session, SYSTEM, which, now) + exit_replied(
        session, SYSTEM, which, now
    )
    enrolments, cadences, ran = load(session, which)
    if not enrolments:
        return PassReport(0, 0, 0, 0, 0, exited)
    zone = practice_zone(settings.timezone)
    calendar = practice_calendar.load(session, local_date(now, zone))
    result = plan(enrolments, cadences, ran, now, zone, calendar)
    steps = _step_rows(session, {due.step.id for due in result.due})
    partners = _partners(session, which) if result.due else {}
    emails, reached = _emails(session, settings, result.due, steps, partners, which, now)
    tasks = _insert_tasks(
        session, [d for d in result.due if d.step.action != StepAction.EMAIL], steps, partners, now
    )
    _insert_step_runs(session, result.due, reached, now)
    completed = _save_progress(session, result, now)
    return PassReport(len(enrolments), len(result.due), emails, tasks, completed, exited)


def _step_rows(session: Session, step_ids: set[int]) -> dict[int, CadenceStep]:
    if not step_ids:
        return {}
    return {
        s.id: s
        for s in session.execute(select(CadenceStep).where(CadenceStep.id.in_(step_ids))).scalars()
    }


def _partners(session: Session, which: Any) -> dict[int, PartnerInfo]:
    due_partners = select(Enrolment.partner_id).where(which)
    rows = session.execute(
        select(Partner.id, Partner.name, Partner.sports, Partner.owner_id, User.name)
        .outerjoin(User, User.id == Partner.owner_id)
        .where(Partner.id.in_(due_partners))
    )
    return {
        pid: PartnerInfo(name, sports, owner_id, owner_name or "")
        for pid, name, sports, owner_id, owner_name in rows
    }


def _recipients(session: Session, which: Any) -> dict[int, list[Recipient]]:
    """Contacts with an email, not archived, of the partners being planned: one query.
    Opt-outs and suppressions are left to the dispatcher, which records why it did not send."""
    due_partners = select(Enrolment.partner_id).where(which)
    found: dict[int, list[Recipient]] = defaultdict(list)
    rows = session.execute(
        select(
            Contact.partner_id,
            Contact.id,
            Contact.first_name,
            Contact.last_name,
            Contact.role,
            Contact.email,
        )
        .where(
            Contact.partner_id.in_(due_partners),
            Contact.email.is_not(None),
            Contact.email != "",
            Contact.archived_at.is_(None),
        )
        .order_by(Contact.id)
    )
    for partner_id, contact_id, first, last, role, email in rows:
        found[partner_id].append(Recipient(contact_id, first, last, role, email))
    return found


def _emails(
    session: Session,
    settings: Settings,
    due: list[Due],
    steps: dict[int, CadenceStep],
    partners: dict[int, PartnerInfo],
    which: Any,
    now: datetime,
) -> tuple[int, set[tuple[int, int, str]]]:
    """Compose one email per recipient of every due email step and enqueue them together.
    Returns how many were new and which (enrolment, step, occurrence) reached someone."""
    email_due = [d for d in due if d.step.action == StepAction.EMAIL]
    if not email_due:
        return 0, set()
    contacts = _recipients(session, which)
    sources = {
        name: post.office().effective_template(session, name)
        for name in {steps[d.step.id].template for d in email_due}
    }
    drafts: list[Draft] = []
    reached: set[tuple[int, int, str]] = set()
    for item in email_due:
        step, partner = steps[item.step.id], partners[item.partner_id]
        roles = roles_of(step.contact_roles)
        for person in (p for p in contacts.get(item.partner_id, []) if p.role in roles):
            drafts.append(
                _draft(session, settings, item, step, sources[step.template], partner, person, now)
            )
            reached.add((item.enrolment_id, item.step.id, item.occurrence))
    return post.office().enqueue_many(session, drafts, now), reached


def _draft(
    session: Session,
    settings: Settings,
    item: Due,
    step: CadenceStep,
    source: TemplateSource,
    partner: PartnerInfo,
    person: Recipient,
    now: datetime,
) -> Draft:
    address = person.email.strip().lower()
    variables = {
        **values_of(step.template_values),
        **recipient_variables(step.template, partner, person, settings),
    }
    return post.office().compose(
        session,
        settings,
        template=step.template,
        variables=variables,
        idempotency_key=f"cadence:{item.enrolment_id}:{item.step.id}:{item.occurrence}:{address}",
        kind="cadence",
        to_email=address,
        to_name=f"{person.first_name} {person.last_name}".strip(),
        now=now,
        contact_id=person.contact_id,
        partner_id=item.partner_id,
        source=f"cadence step {item.step.id}",
        timezone=settings.timezone,
        template_source=source,
    )


def recipient_variables(
    template: str, partner: PartnerInfo, person: Recipient, settings: Settings
) -> dict[str, str]:
    """Exactly the recipient variables the template declares, from the rows."""
    known = {
        "contact_first_name": person.first_name,
        "partner_name": partner.name,
        "sender_name": partner.owner_name or settings.practice_name,
        "sport_names": _joined(partner.sports.split(",")) if partner.sports else "your sports",
    }
    return {
        name: known[name] for name in post.office().template_variables(template) if name in known
    }


def _joined(words: list[str]) -> str:
    words = [w for w in words if w]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _insert_tasks(
    session: Session,
    due: list[Due],
    steps: dict[int, CadenceStep],
    partners: dict[int, PartnerInfo],
    now: datetime,
) -> int:
    """One task per due call/visit/drop-off step, for the partner's owner, due that day."""
    if not due:
        return 0
    rows = [
        {
            "idempotency_key": f"cadence:{d.enrolment_id}:{d.step.id}:{d.occurrence}",
            "kind": d.step.action,
            "title": steps[d.step.id].title
            or f"{StepAction(d.step.action).label}: {partners[d.partner_id].name}",
            "instructions": steps[d.step.id].instructions,
            "partner_id": d.partner_id,
            "assigned_to": partners[d.partner_id].owner_id,
            "due_on": d.due_on,
            "status": "open",
            "skip_reason": "",
            "enrolment_id": d.enrolment_id,
            "step_id": d.step.id,
            "created_at": now,
            "updated_at": now,
        }
        for d in due
    ]
    statement = _ignoring_duplicates(session, Task, ["idempotency_key"]).returning(
        Task.__table__.c.id
    )
    return len(session.connection().execute(statement, rows).all())


def _insert_step_runs(
    session: Session, due: list[Due], reached: set[tuple[int, int, str]], now: datetime
) -> None:
    if not due:
        return
    rows = [
        {
            "enrolment_id": d.enrolment_id,
            "step_id": d.step.id,
            "occurrence": d.occurrence,
            "due_at": d.due_at,
            "ran_at": now,
            "outcome": _outcome(d, reached),
        }
        for d in due
    ]
    session.execute(
        _ignoring_duplicates(session, StepRun, ["enrolment_id", "step_id", "occurrence"]), rows
    )


def _outcome(due: Due, reached: set[tuple[int, int, str]]) -> str:
    if due.step.action != StepAction.EMAIL:
        return "done"
    return "done" if (due.enrolment_id, due.step.id, due.occurrence) in reached else NO_RECIPIENT


def _save_progress(session: Session, result: Plan, now: datetime) -> int:
    """Each enrolment's next look (or its completion), in one executemany UPDATE."""
    changes = []
    for p in result.progress:
        change: dict[str, Any] = {
            "id": p.enrolment_id,
            "next_due_at": p.next_due_at,
            "updated_at": now,
        }
        if p.completed:
            change.update(status=EnrolmentStatus.COMPLETED.value, ended_at=now)
        changes.append(change)
    if changes:
        session.execute(update(Enrolment), changes)
    return sum(1 for p in result.progress if p.completed)


def _ignoring_duplicates(session: Session, model: Any, keys: list[str]) -> Any:
    return insert_for(session, model).on_conflict_do_nothing(index_elements=keys)


def enrol_by_rules(session: Session, now: datetime) -> int:
    """Enrol new members of every active cadence's rule segment (set-based, per cadence)."""
    cadences = (
        session.execute(
            select(Cadence)
            .join(Segment, Segment.id == Cadence.rule_segment_id)
            .where(Cadence.active == true(), Segment.archived_at.is_(None))
        )
        .scalars()
        .all()
    )
    return sum(enrol_rule_members(session, SYSTEM, cadence, now) for cadence in cadences)


def planner_job(engine: Engine, settings: Settings, clock: Clock) -> PassReport:
    with session_scope(engine) as session:
        return run_planner_pass(session, settings, clock())


def rules_job(engine: Engine, settings: Settings, clock: Clock) -> int:
    with session_scope(engine) as session:
        return enrol_by_rules(session, clock())
