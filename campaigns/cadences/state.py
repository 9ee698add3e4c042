"""Set-based reads that turn cadence rows into the planner's plain values.

Every read takes the condition that picks the enrolments and joins on it, so a pass
costs three queries whatever the number of enrolments, and reads only the enrolments
it was asked about (for the planner: those due, through ix_enrolment_due)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, select, true
from sqlmodel import Session

from campaigns.cadences.planner import (
    CadencePlan,
    EnrolmentState,
    PlannedItem,
    Ran,
    StepPlan,
    project,
)
from crm import practice_calendar, settings
from crm.business_days import local_date
from crm.clock import as_utc
from crm.models import Cadence, CadenceStep, Enrolment, Partner, StepRun
from crm.vocab import EnrolmentStatus


def practice_zone(timezone: str | None = None) -> ZoneInfo:
    if timezone is None:
        timezone = settings.get().timezone
    return ZoneInfo(timezone)


def due_condition(now: datetime) -> ColumnElement[bool]:
    """Active enrolments whose next look is due: the shape of ix_enrolment_due."""
    return and_(Enrolment.status == EnrolmentStatus.ACTIVE.value, Enrolment.next_due_at <= now)


def live_condition() -> ColumnElement[bool]:
    return Enrolment.status == EnrolmentStatus.ACTIVE.value


def load(
    session: Session, which: ColumnElement[bool]
) -> tuple[list[EnrolmentState], dict[int, CadencePlan], Ran]:
    """The enrolments matching `which` (in active cadences), their cadences' live steps
    and what already ran for them."""
    rows = session.execute(
        select(
            Enrolment.id,
            Enrolment.cadence_id,
            Enrolment.partner_id,
            Enrolment.anchor_at,
            Partner.owner_id,
        )
        .join(Partner, Partner.id == Enrolment.partner_id)
        .join(Cadence, Cadence.id == Enrolment.cadence_id)
        .where(which, Cadence.active == true())
        .order_by(Enrolment.id)
    ).all()
    enrolments = [
        EnrolmentState(
            id=r[0], cadence_id=r[1], partner_id=r[2], anchor_at=as_utc(r[3]), owner_id=r[4]
        )
        for r in rows
    ]
    cadences = cadence_plans(session, which)
    return enrolments, cadences, _ran(session, which)


def cadence_plans(
    session: Session, which: ColumnElement[bool] | None = None
) -> dict[int, CadencePlan]:
    """Cadences (of the enrolments matching `which`, or all) with their live steps."""
    cadence_query = select(Cadence.id, Cadence.recurrence, Cadence.name)
    step_query = (
        select(
            CadenceStep.id,
            CadenceStep.cadence_id,
            CadenceStep.position,
            CadenceStep.action,
            CadenceStep.offset_days,
            CadenceStep.offset_from,
            CadenceStep.title,
        )
        .where(CadenceStep.removed_at.is_(None))
        .order_by(CadenceStep.position, CadenceStep.id)
    )
    if which is not None:
        wanted = select(Enrolment.cadence_id).where(which).distinct()
        cadence_query = cadence_query.where(Cadence.id.in_(wanted))
        step_query = step_query.where(CadenceStep.cadence_id.in_(wanted))
    steps: dict[int, list[StepPlan]] = defaultdict(list)
    for sid, cid, position, action, offset, offset_from, title in session.execute(step_query):
        steps[cid].append(StepPlan(sid, position, action, offset, offset_from, title))
    return {
        cid: CadencePlan(cid, recurrence or "", tuple(steps[cid]), name)
        for cid, recurrence, name in session.execute(cadence_query)
    }


def _ran(session: Session, which: ColumnElement[bool]) -> Ran:
    done: dict[int, set[tuple[int, str]]] = defaultdict(set)
    query = (
        select(StepRun.enrolment_id, StepRun.step_id, StepRun.occurrence)
        .join(Enrolment, Enrolment.id == StepRun.enrolment_id)
        .where(which)
    )
    for enrolment_id, step_id, occurrence in session.execute(query):
        done[enrolment_id].add((step_id, occurrence))
    return done


def load_active_for_projection(
    session: Session,
) -> tuple[list[EnrolmentState], dict[int, CadencePlan], Ran]:
    return load(session, live_condition())


def project_schedule(
    session: Session, start: date, end: date, now: datetime, timezone: str | None = None
) -> list[PlannedItem]:
    """The calendar's view of what the cadences will ask for between two days: one
    set-based read of the active enrolments, then `project`. `timezone` defaults to
    the practice's (settings)."""
    zone = practice_zone(timezone)
    enrolments, cadences, ran = load_active_for_projection(session)
    today = local_date(now, zone)
    calendar = practice_calendar.load(session, today)
    return project(enrolments, cadences, ran, start, end, today, zone, calendar)
