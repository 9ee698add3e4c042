"""Cadences and their steps, and who is in them: create and edit (an edit changes only
steps not yet run), enrol one partner, many, a segment or a rule, pause, resume, exit.

Enrolling is one INSERT ... SELECT whatever the number of partners; the partial unique
index uq_enrolment_live makes "never in the same cadence twice at once" a fact of the
database, not of this code. A new, resumed or edited enrolment gets next_due_at = now,
so the next planner pass works out its schedule in one place (campaigns.cadences.planner)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    update,
)
from sqlmodel import Session

from campaigns.cadences.state import practice_zone
from campaigns.cadences.steps import StepDraft
from crm import audit, practice_calendar
from crm.access import Actor, require_editor
from crm.business_days import business_days_between, local_date, shift_by_business_days
from crm.clock import as_utc
from crm.errors import Conflict
from crm.models import Cadence, CadenceStep, Enrolment, Partner, Touch
from crm.segments import member_ids_select
from crm.vocab import (
    CadencePurpose,
    EnrolmentStatus,
    ExitReason,
    PartnerStatus,
    Recurrence,
    TouchKind,
)

LIVE = (EnrolmentStatus.ACTIVE.value, EnrolmentStatus.PAUSED.value)
SOURCES = ("manual", "segment", "rule")


class CadenceDraft(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=500)
    purpose: CadencePurpose = CadencePurpose.OTHER
    recurrence: Recurrence = Recurrence.NONE
    active: bool = True
    rule_segment_id: int | None = None
    exit_on_referral_source: bool = False
    nurture_cadence_id: int | None = None
    steps: list[StepDraft] = Field(default_factory=list)

    @field_validator("steps")
    @classmethod
    def _some_steps(cls, steps: list[StepDraft]) -> list[StepDraft]:
        if not steps:
            raise ValueError("a cadence needs at least one step")
        return steps

    def cadence_values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "purpose": self.purpose.value,
            "recurrence": self.recurrence.value,
            "active": self.active,
            "rule_segment_id": self.rule_segment_id,
            "exit_on_referral_source": self.exit_on_referral_source,
            "nurture_cadence_id": self.nurture_cadence_id,
        }


def create_cadence(session: Session, actor: Actor, draft: CadenceDraft, now: datetime) -> Cadence:
    require_editor(actor)
    _name_is_free(session, draft.name, None)
    cadence = Cadence(**draft.cadence_values(), created_by=actor.id, created_at=now, updated_at=now)
    session.add(cadence)
    session.flush()
    audit.record(session, actor, "create", "cadence", cadence.id, draft.cadence_values(), now)
    _save_steps(session, actor, cadence, draft.steps, now)
    return cadence


def update_cadence(
    session: Session, actor: Actor, cadence_id: int, draft: CadenceDraft, now: datetime
) -> Cadence:
    """Steps keep their ids, so a step that already ran for an enrolment never runs
    again for it (its StepRun names the step); a step left out is removed (removed_at)
    and skipped from then on. Active enrolments are looked at again on the next pass."""
    require_editor(actor)
    cadence = get_cadence(session, cadence_id)
    _name_is_free(session, draft.name, cadence.id)
    audit.apply_changes(session, actor, "cadence", cadence, draft.cadence_values(), now)
    _save_steps(session, actor, cadence, draft.steps, now)
    session.execute(
        update(Enrolment)
        .where(Enrolment.cadence_id == cadence.id, Enrolment.status == EnrolmentStatus.ACTIVE.value)
        .values(next_due_at=now if cadence.active else None, updated_at=now)
    )
    return cadence


def _save_steps(
    session: Session, actor: Actor, cadence: Cadence, drafts: list[StepDraft], now: datetime
) -> None:
    existing = {step.id: step for step in live_steps(session, cadence.id)}
    unknown = [d.id for d in drafts if d.id is not None and d.id not in existing]
    if unknown:
        raise LookupError(f"step {unknown[0]} is not a step of {cadence.name}")
    for position, draft in enumerate(drafts, start=1):
        values = {**draft.row_values(), "position": position}
        if draft.id is None:
            step = CadenceStep(cadence_id=cadence.id, **values, created_at=now, updated_at=now)
            session.add(step)
            session.flush()
            audit.record(session, actor, "create", "cadence_step", step.id, values, now)
        else:
            audit.apply_changes(session, actor, "cadence_step", existing.pop(draft.id), values, now)
    for step in existing.values():
        step.removed_at = step.updated_at = now
        audit.record(
            session, actor, "remove", "cadence_step", step.id, {"cadence_id": cadence.id}, now
        )
    session.flush()


def _name_is_free(session: Session, name: str, own_id: int | None) -> None:
    clash = session.execute(
        select(Cadence.id).where(func.lower(Cadence.name) == name.lower())
    ).scalar()
    if clash is not None and clash != own_id:
        raise Conflict(f"there is already a cadence named {name!r}")


def get_cadence(session: Session, cadence_id: int) -> Cadence:
    cadence = session.get(Cadence, cadence_id)
    if cadence is None:
        raise LookupError(f"no cadence with id {cadence_id}")
    return cadence


def live_steps(session: Session, cadence_id: int) -> list[CadenceStep]:
    return list(
        session.execute(
            select(CadenceStep)
            .where(CadenceStep.cadence_id == cadence_id, CadenceStep.removed_at.is_(None))
            .order_by(CadenceStep.position, CadenceStep.id)
        ).scalars()
    )


@dataclass(frozen=True)
class CadenceSummary:
    id: int
    name: str
    purpose: str
    recurrence: str
    active: bool
    steps: int
    counts: dict[str, int]  # enrolment status -> how many


def list_cadences(session: Session) -> list[CadenceSummary]:
    """Every cadence with its live step count and enrolments by status (three queries)."""
    steps = dict(
        session.execute(
            select(CadenceStep.cadence_id, func.count())
            .where(CadenceStep.removed_at.is_(None))
            .group_by(CadenceStep.cadence_id)
        ).all()
    )
    counts: dict[int, dict[str, int]] = {}
    for cid, status, n in session.execute(
        select(Enrolment.cadence_id, Enrolment.status, func.count()).group_by(
            Enrolment.cadence_id, Enrolment.status
        )
    ):
        counts.setdefault(cid, {})[status] = n
    return [
        CadenceSummary(
            c.id,
            c.name,
            c.purpose,
            c.recurrence,
            c.active,
            steps.get(c.id, 0),
            counts.get(c.id, {}),
        )
        for c in session.execute(select(Cadence).order_by(Cadence.name)).scalars()
    ]


@dataclass(frozen=True)
class EnrolReport:
    enrolled: int
    already_enrolled: int = 0
    do_not_contact: int = 0
    archived: int = 0
    not_found: int = 0

    def sentence(self) -> str:
        parts = [f"{self.enrolled} enrolled"]
        for count, words in (
            (self.already_enrolled, "already in the cadence"),
            (self.do_not_contact, "marked do not contact"),
            (self.archived, "archived"),
            (self.not_found, "not found"),
        ):
            if count:
                parts.append(f"{count} {words}")
        return "; ".join(parts) + "."


def enrol(
    session: Session,
    actor: Actor,
    cadence_id: int,
    partner_ids: list[int],
    *,
    source: str = "manual",
    now: datetime,
) -> EnrolReport:
    """Enrol partners by id; archived and do-not-contact partners are refused and
    those already in the cadence left as they are (the report counts each)."""
    require_editor(actor)
    wanted = sorted(set(partner_ids))
    report = _enrol_from(
        session, actor, get_cadence(session, cadence_id), Partner.id.in_(wanted), source, now
    )
    return EnrolReport(
        report.enrolled,
        report.already_enrolled,
        report.do_not_contact,
        report.archived,
        not_found=len(wanted) - _total(report),
    )


def enrol_segment(
    session: Session, actor: Actor, cadence_id: int, segment_id: int, now: datetime
) -> EnrolReport:
    """Enrol today's members of a segment, once (a rule keeps enrolling new ones)."""
    require_editor(actor)
    members = member_ids_select(session, segment_id, now)
    return _enrol_from(
        session, actor, get_cadence(session, cadence_id), Partner.id.in_(members), "segment", now
    )


def enrol_rule_members(session: Session, actor: Actor, cadence: Cadence, now: datetime) -> int:
    """Enrol the rule segment's members who were never in this cadence: a partner who
    finished or left it is not enrolled again just for still matching."""
    members = member_ids_select(session, cadence.rule_segment_id, now)
    ever = exists().where(Enrolment.cadence_id == cadence.id, Enrolment.partner_id == Partner.id)
    condition = and_(Partner.id.in_(members), ~ever)
    return _enrol_from(session, actor, cadence, condition, "rule", now, counted=False).enrolled


def _enrol_from(
    session: Session,
    actor: Actor,
    cadence: Cadence,
    which: ColumnElement[bool],
    source: str,
    now: datetime,
    counted: bool = True,
) -> EnrolReport:
    if source not in SOURCES:
        raise ValueError(f"unknown enrolment source {source!r}")
    if not cadence.active:
        raise Conflict(f"{cadence.name} is switched off; switch it on before enrolling partners")
    live = exists().where(
        Enrolment.cadence_id == cadence.id,
        Enrolment.partner_id == Partner.id,
        Enrolment.status.in_(LIVE),
    )
    archived = Partner.archived_at.is_not(None)
    dnc = Partner.status == PartnerStatus.DO_NOT_CONTACT.value
    report = _classify(session, which, archived, dnc, live) if counted else None
    enrolled = _insert_enrolments(
        session,
        cadence,
        select(Partner.id).where(which, ~archived, ~dnc, ~live),
        actor,
        source,
        now,
    )
    if enrolled:
        audit.record(
            session,
            actor,
            "enrol",
            "cadence",
            cadence.id,
            {"source": source, "partners": enrolled},
            now,
        )
    if report is None:
        return EnrolReport(enrolled)
    return EnrolReport(enrolled, report.already_enrolled, report.do_not_contact, report.archived)


def _classify(
    session: Session,
    which: ColumnElement[bool],
    archived: ColumnElement[bool],
    dnc: ColumnElement[bool],
    live: ColumnElement[bool],
) -> EnrolReport:
    """How many of the candidates fall in each refusal, in one query."""
    kind = case((archived, "archived"), (dnc, "dnc"), (live, "live"), else_="ok")
    counts = dict(session.execute(select(kind, func.count()).where(which).group_by(kind)).all())
    return EnrolReport(
        counts.get("ok", 0), counts.get("live", 0), counts.get("dnc", 0), counts.get("archived", 0)
    )


def _total(report: EnrolReport) -> int:
    return report.enrolled + report.already_enrolled + report.do_not_contact + report.archived


def _insert_enrolments(
    session: Session,
    cadence: Cadence,
    partner_ids: Select[Any],
    actor: Actor,
    source: str,
    now: datetime,
) -> int:
    when = Enrolment.__table__.c.enrolled_at.type
    chosen = partner_ids.subquery()
    rows = select(
        literal(cadence.id),
        chosen.c.id,
        literal(EnrolmentStatus.ACTIVE.value),
        literal(""),
        literal(source),
        literal(now, when),
        literal(actor.id, Integer),
        literal(now, when),
        literal(now, when),
        literal(now, when),
        literal(now, when),
    )
    columns = [
        "cadence_id",
        "partner_id",
        "status",
        "exit_reason",
        "source",
        "enrolled_at",
        "enrolled_by",
        "anchor_at",
        "next_due_at",
        "created_at",
        "updated_at",
    ]
    statement = (
        insert(Enrolment.__table__).from_select(columns, rows).returning(Enrolment.__table__.c.id)
    )
    return len(session.connection().execute(statement).all())


def pause(session: Session, actor: Actor, enrolment_ids: list[int], *, now: datetime) -> int:
    """Stop an active enrolment where it is; returns how many were paused."""
    require_editor(actor)
    return _transition(
        session,
        actor,
        enrolment_ids,
        EnrolmentStatus.ACTIVE,
        "pause",
        now,
        status=EnrolmentStatus.PAUSED.value,
        paused_at=now,
        next_due_at=None,
    )


def resume(
    session: Session,
    actor: Actor,
    enrolment_ids: list[int],
    *,
    now: datetime,
    timezone: str | None = None,
) -> int:
    """Carry on where it stopped: the anchor moves forward by the business days the
    pause lasted, so every remaining step keeps its spacing instead of all falling due
    at once. `timezone` is the practice's (settings when omitted)."""
    require_editor(actor)
    zone = practice_zone(timezone)
    rows = session.execute(
        select(Enrolment.id, Enrolment.anchor_at, Enrolment.paused_at).where(
            Enrolment.id.in_(enrolment_ids), Enrolment.status == EnrolmentStatus.PAUSED.value
        )
    ).all()
    calendar = practice_calendar.load(session, local_date(now, zone))
    changes = []
    for enrolment_id, anchor_at, paused_at in rows:
        skipped = business_days_between(
            local_date(paused_at, zone), local_date(now, zone), calendar
        )
        changes.append(
            {
                "id": enrolment_id,
                "status": EnrolmentStatus.ACTIVE.value,
                "paused_at": None,
                "anchor_at": shift_by_business_days(as_utc(anchor_at), skipped, zone, calendar),
                "next_due_at": now,
                "updated_at": now,
            }
        )
    if changes:
        session.execute(update(Enrolment), changes)
        audit.record_many(
            session,
            actor,
            [
                {
                    "action": "resume",
                    "entity": "enrolment",
                    "entity_id": c["id"],
                    "changes": {"anchor_at": c["anchor_at"]},
                }
                for c in changes
            ],
            now,
        )
    return len(changes)


def exit_enrolment_ids(
    session: Session, actor: Actor, enrolment_ids: list[int], *, reason: str, now: datetime
) -> int:
    """End live enrolments for good, with why; nothing more is sent or asked for them."""
    require_editor(actor)
    return _exit(session, actor, Enrolment.id.in_(enrolment_ids), reason, now)


def exit_enrolments(
    session: Session,
    actor: Actor,
    *,
    partner_ids: list[int],
    reason: str,
    now: datetime,
    only_exit_on_referral_source: bool = False,
) -> int:
    """End these partners' live enrolments (they unsubscribed, became a referral
    source, asked not to be contacted...). With `only_exit_on_referral_source`, only
    in cadences set to stop when a partner starts referring."""
    require_editor(actor)
    which = Enrolment.partner_id.in_(sorted(set(partner_ids)))
    if only_exit_on_referral_source:
        flagged = select(Cadence.id).where(Cadence.exit_on_referral_source == true())
        which = and_(which, Enrolment.cadence_id.in_(flagged))
    return _exit(session, actor, which, reason, now)


def exit_unreachable(
    session: Session, actor: Actor, which: ColumnElement[bool], now: datetime
) -> int:
    """Exit enrolments (matching `which`) whose partner is now do not contact or
    archived: the planner's guard, for a status changed without exiting them."""
    gone = select(Partner.id).where(
        (Partner.status == PartnerStatus.DO_NOT_CONTACT.value) | Partner.archived_at.is_not(None)
    )
    return _exit(
        session,
        actor,
        and_(which, Enrolment.partner_id.in_(gone)),
        ExitReason.DO_NOT_CONTACT.value,
        now,
    )


def exit_replied(session: Session, actor: Actor, which: ColumnElement[bool], now: datetime) -> int:
    """Exit sequence enrolments (matching `which`) whose partner replied: an email touch
    logged by a person (not one of our own messages) since they were enrolled. A
    sequence is there to start a conversation, so it stops once one starts; a recurring
    touch plan carries on."""
    replied = exists().where(
        Touch.partner_id == Enrolment.partner_id,
        Touch.kind == TouchKind.EMAIL.value,
        Touch.message_id.is_(None),
        Touch.occurred_at >= Enrolment.enrolled_at,
    )
    sequences = select(Cadence.id).where(Cadence.recurrence == Recurrence.NONE.value)
    return _exit(
        session,
        actor,
        and_(which, Enrolment.cadence_id.in_(sequences), replied),
        ExitReason.REPLIED.value,
        now,
    )


def _exit(
    session: Session, actor: Actor, which: ColumnElement[bool], reason: str, now: datetime
) -> int:
    reason = ExitReason.parse(reason).value
    ids = list(
        session.execute(select(Enrolment.id).where(which, Enrolment.status.in_(LIVE))).scalars()
    )
    if not ids:
        return 0
    session.execute(
        update(Enrolment)
        .where(Enrolment.id.in_(ids), Enrolment.status.in_(LIVE))
        .values(
            status=EnrolmentStatus.EXITED.value,
            exit_reason=reason,
            ended_at=now,
            next_due_at=None,
            paused_at=None,
            updated_at=now,
        )
    )
    audit.record_many(
        session,
        actor,
        [
            {
                "action": "exit",
                "entity": "enrolment",
                "entity_id": i,
                "changes": {"exit_reason": reason},
            }
            for i in ids
        ],
        now,
    )
    return len(ids)


def _transition(
    session: Session,
    actor: Actor,
    enrolment_ids: list[int],
    current: EnrolmentStatus,
    action: str,
    now: datetime,
    **values: Any,
) -> int:
    ids = list(
        session.execute(
            select(Enrolment.id).where(
                Enrolment.id.in_(enrolment_ids), Enrolment.status == current.value
            )
        ).scalars()
    )
    if not ids:
        return 0
    session.execute(
        update(Enrolment)
        .where(Enrolment.id.in_(ids), Enrolment.status == current.value)
        .values(**values, updated_at=now)
    )
    audit.record_many(
        session,
        actor,
        [{"action": action, "entity": "enrolment", "entity_id": i, "changes": {}} for i in ids],
        now,
    )
    return len(ids)


@dataclass(frozen=True)
class EnrolmentRow:
    id: int
    partner_id: int
    partner_name: str
    status: str
    exit_reason: str
    source: str
    enrolled_at: datetime
    next_due_at: datetime | None


def list_enrolments(
    session: Session, cadence_id: int, statuses: list[str] | None = None, limit: int = 500
) -> tuple[list[EnrolmentRow], int]:
    """A cadence's enrolments, newest first, with the total for paging."""
    conditions = [Enrolment.cadence_id == cadence_id]
    if statuses:
        conditions.append(Enrolment.status.in_(statuses))
    total = session.execute(
        select(func.count()).select_from(Enrolment).where(*conditions)
    ).scalar_one()
    rows = session.execute(
        select(
            Enrolment.id,
            Enrolment.partner_id,
            Partner.name,
            Enrolment.status,
            Enrolment.exit_reason,
            Enrolment.source,
            Enrolment.enrolled_at,
            Enrolment.next_due_at,
        )
        .join(Partner, Partner.id == Enrolment.partner_id)
        .where(*conditions)
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
        .limit(limit)
    ).all()
    return [EnrolmentRow(*row) for row in rows], total


__all__ = [
    "CadenceDraft",
    "CadenceSummary",
    "EnrolReport",
    "EnrolmentRow",
    "StepDraft",
    "create_cadence",
    "enrol",
    "enrol_rule_members",
    "enrol_segment",
    "exit_enrolment_ids",
    "exit_enrolments",
    "exit_replied",
    "exit_unreachable",
    "get_cadence",
    "list_cadences",
    "list_enrolments",
    "live_steps",
    "pause",
    "resume",
    "update_cadence",
]


class CadenceOutreach:
    """What lifecycle moves need from the cadences (`crm.lifecycle.outreach.Outreach`)."""

    def enrol(
        self,
        session: Session,
        actor: Actor,
        cadence_id: int,
        partner_ids: list[int],
        *,
        source: str,
        now: datetime,
    ) -> int:
        return enrol(session, actor, cadence_id, partner_ids, source=source, now=now).enrolled

    def exit(
        self,
        session: Session,
        actor: Actor,
        partner_ids: list[int],
        *,
        reason: str,
        now: datetime,
        only_exit_on_referral_source: bool,
    ) -> int:
        return exit_enrolments(
            session,
            actor,
            partner_ids=partner_ids,
            reason=reason,
            now=now,
            only_exit_on_referral_source=only_exit_on_referral_source,
        )
