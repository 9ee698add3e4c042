"""The demo's living plan: segments, three cadences with enrolments, a month of
history (emails sent, tasks done or skipped) and open tasks, so a new user opens a
plan that is already at work rather than empty pages.

It runs the real pieces (segments, cadences, the planner, the lifecycle pass) over
the last month with the clock passed in; only the parts a person or a provider would
have done (sending, completing tasks) are filled in directly, and the demo's sent
email is marked provider "demo": none of it ever left the machine."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import case, func, insert, literal, select, update
from sqlalchemy.engine import Engine

from campaigns.cadences.enrolment import CadenceDraft, create_cadence, enrol
from campaigns.cadences.job import run_planner_pass
from campaigns.cadences.steps import StepDraft
from campaigns.mail.dispatch import log_email_touches
from crm.access import SYSTEM
from crm.db import session_scope
from crm.lifecycle import advance_lifecycle
from crm.models import Cadence, Message, Partner, Task, Touch
from crm.segments import create_segment
from crm.segments.service import SegmentInput
from crm.settings import Settings
from crm.vocab import MessageStatus

HISTORY_DAYS = 30
INTRODUCTIONS = 80
MONTHLY = 60


@dataclass(frozen=True)
class OutreachSummary:
    segments: int
    cadences: int
    enrolments: int
    emails_sent: int
    tasks_done: int
    tasks_open: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def seed_outreach(engine: Engine, settings: Settings, *, now: datetime) -> OutreachSummary | None:
    """None when the database already has cadences: a plan is never seeded twice."""
    start = now - timedelta(days=HISTORY_DAYS)
    with session_scope(engine) as session:
        if session.execute(select(func.count()).select_from(Cadence)).scalar_one():
            return None
        segments = _segments(session, start)
        intro, monthly, _win_back = _cadences(session, segments, start)
        prospects = pick_partners(session, Partner.status == "prospect", INTRODUCTIONS)
        sources = pick_partners(
            session, (Partner.status == "referral_source") & (Partner.tier == "A"), MONTHLY
        )
        half = len(prospects) // 2
        enrolled = enrol(
            session, SYSTEM, intro.id, prospects[:half], source="segment", now=start
        ).enrolled
        enrolled += enrol(
            session,
            SYSTEM,
            intro.id,
            prospects[half:],
            source="segment",
            now=now - timedelta(days=8),
        ).enrolled
        enrolled += enrol(
            session, SYSTEM, monthly.id, sources, source="segment", now=start
        ).enrolled
    with session_scope(engine) as session:
        advance_lifecycle(session, start)
    for moment in _business_mornings(start, now, settings):
        with session_scope(engine) as session:
            run_planner_pass(session, settings, moment)
    with session_scope(engine) as session:
        advance_lifecycle(session, now)
        run_planner_pass(session, settings, now)
    with engine.begin() as connection:
        sent = send_the_past(connection, now)
        done = _work_the_past_tasks(connection, now)
    with session_scope(engine) as session:
        advance_lifecycle(session, now)  # the conversations logged by the finished tasks
        still_open = session.execute(
            select(func.count()).select_from(Task).where(Task.status == "open")
        ).scalar_one()
    return OutreachSummary(
        segments=len(segments),
        cadences=3,
        enrolments=enrolled,
        emails_sent=sent,
        tasks_done=done,
        tasks_open=still_open,
    )


def _segments(session, now: datetime) -> dict[str, int]:  # type: ignore[no-untyped-def]
    definitions = {
        "Tier A physicians' offices": (
            "Primary care and orthopedic partners in tier A.",
            [
                {"field": "partner_type", "op": "in", "value": ["primary_care", "orthopedics"]},
                {"field": "tier", "op": "in", "value": ["A"]},
            ],
        ),
        "New prospects": (
            "Prospects not yet in any cadence.",
            [
                {"field": "status", "op": "in", "value": ["prospect"]},
                {"field": "cadence", "op": "not_enrolled", "value": None},
            ],
        ),
        "Going quiet": (
            "Referral sources with no referral in 60 days.",
            [
                {"field": "status", "op": "in", "value": ["referral_source", "dormant"]},
                {"field": "referrals", "op": "none_in_last_days", "value": 60},
            ],
        ),
        "Schools, clubs and athletic trainers": (
            "For seasonal sports education.",
            [
                {
                    "field": "partner_type",
                    "op": "in",
                    "value": ["school", "sports_club", "athletic_training"],
                }
            ],
        ),
    }
    ids = {}
    for name, (description, conditions) in definitions.items():
        segment = create_segment(
            session,
            SYSTEM,
            SegmentInput(
                name=name,
                description=description,
                definition={"match": "all", "conditions": conditions},
            ),
            now,
        )
        ids[name] = segment.id
    return ids


def _cadences(session, segments: dict[str, int], now: datetime):  # type: ignore[no-untyped-def]
    monthly = create_cadence(
        session,
        SYSTEM,
        CadenceDraft(
            name="Tier A monthly check-in",
            purpose="nurture",
            recurrence="monthly",
            description="A monthly email and an office visit for the partners that matter most.",
            steps=[
                StepDraft(
                    action="email",
                    template="partner_checkin",
                    contact_roles=["physician", "office_manager"],
                ),
                StepDraft(action="visit", offset_days=3, title="Drop by with the monthly update"),
            ],
        ),
        now,
    )
    intro = create_cadence(
        session,
        SYSTEM,
        CadenceDraft(
            name="New-partner introduction",
            purpose="prospecting",
            exit_on_referral_source=True,
            nurture_cadence_id=monthly.id,
            description="Introduce the practice to a new referral partner.",
            steps=[
                StepDraft(
                    action="email",
                    template="partner_checkin",
                    contact_roles=["physician", "office_manager", "referral_coordinator"],
                ),
                StepDraft(action="call", offset_days=3, title="Call the office manager"),
                StepDraft(
                    action="visit", offset_days=5, title="Visit with referral pads and cards"
                ),
                StepDraft(
                    action="drop_off", offset_days=10, title="Drop off patient education materials"
                ),
            ],
        ),
        now,
    )
    win_back = create_cadence(
        session,
        SYSTEM,
        CadenceDraft(
            name="Dormant win-back",
            purpose="win_back",
            description="Reach out to a source that went quiet.",
            steps=[
                StepDraft(action="call", title="Ask how referrals are going"),
                StepDraft(action="visit", offset_days=4, title="Visit the referral coordinator"),
            ],
        ),
        now,
    )
    return intro, monthly, win_back


def pick_partners(session, condition, limit: int) -> list[int]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Partner.id)
        .where(condition, Partner.archived_at.is_(None))
        .order_by(Partner.id)
        .limit(limit)
    )
    return list(rows.scalars())


def _business_mornings(start: datetime, end: datetime, settings: Settings) -> list[datetime]:
    zone = settings.zone
    day = start.astimezone(zone).date()
    mornings = []
    while True:
        moment = datetime.combine(day, time(9, 30), tzinfo=zone)
        if moment >= end:
            return mornings
        if day.weekday() < 5 and moment > start:
            mornings.append(moment)
        day += timedelta(days=1)


def send_the_past(connection, now: datetime) -> int:  # type: ignore[no-untyped-def]
    due = select(Message.id).where(
        Message.status == MessageStatus.QUEUED.value,
        Message.next_attempt_at < now - timedelta(hours=1),
    )
    ids = list(connection.execute(due).scalars())
    if ids:
        connection.execute(
            update(Message)
            .where(Message.id.in_(ids))
            .values(
                status=MessageStatus.SENT.value,
                attempts=1,
                sent_at=Message.next_attempt_at,
                provider="demo",
                updated_at=now,
            )
        )
        log_email_touches(connection, ids, now)
    return len(ids)


def _work_the_past_tasks(connection, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """Most past tasks done (with their touch), a few skipped, the rest left overdue."""
    today = now.date()
    past = (Task.status == "open") & (Task.due_on < today)
    connection.execute(
        update(Task)
        .where(past, Task.id % 10 == 9)
        .values(status="skipped", skip_reason="office closed for renovation", updated_at=now)
    )
    done_ids = list(connection.execute(select(Task.id).where(past, Task.id % 10 < 7)).scalars())
    if not done_ids:
        return 0
    connection.execute(
        update(Task)
        .where(Task.id.in_(done_ids))
        .values(status="done", completed_at=Task.created_at, updated_at=now)
    )
    kind = case((Task.kind == "drop_off", literal("materials_drop_off")), else_=Task.kind)
    connection.execute(
        insert(Touch).from_select(
            [
                "partner_id",
                "contact_id",
                "user_id",
                "kind",
                "occurred_at",
                "task_id",
                "outcome",
                "notes",
                "created_at",
            ],
            select(
                Task.partner_id,
                Task.contact_id,
                Task.assigned_to,
                kind,
                Task.created_at,
                Task.id,
                literal("spoke with the office manager"),
                literal(""),
                literal(now, Touch.created_at.type),
            ).where(Task.id.in_(done_ids)),
        )
    )
    return len(done_ids)
