"""A liaison's tasks: calls, visits and materials drop-offs, from a cadence step or made
by hand, and what a person does with them (complete, snooze, reassign, skip).

Completing a task logs a Touch through `crm.touches.log_touch`, so a task's touch obeys
the same rules as one typed on the partner page and shows on the partner's timeline.
Every change needs an editor; any editor may act on a task assigned to someone else
(a colleague covers a sick liaison's visits). The lists are read with a fixed number of
queries whatever their length: the tasks with their partner and contact in one, the
last three touches of all their partners in one more (a window function, which SQLite
and PostgreSQL both run)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import case, func, select, update
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from crm import audit
from crm.access import SYSTEM, Actor, require_editor
from crm.db import insert_for
from crm.errors import Conflict, InvalidInput, NotFound
from crm.fields import text
from crm.models import Contact, Partner, Task, Touch, User
from crm.partners import get_partner
from crm.touches import TouchInput, log_touch
from crm.validation import display_phone
from crm.vocab import Role, StepAction, TaskStatus, TouchKind

# What a task becomes on the partner's timeline when it is done.
TOUCH_FOR = {
    StepAction.CALL.value: TouchKind.CALL.value,
    StepAction.VISIT.value: TouchKind.VISIT.value,
    StepAction.DROP_OFF.value: TouchKind.MATERIALS_DROP_OFF.value,
}
TASK_KINDS = tuple(TOUCH_FOR)
# Kinds that take the liaison out on the road, so belong on a day's route.
ON_THE_ROAD = (StepAction.VISIT.value, StepAction.DROP_OFF.value)
TOUCHES_SHOWN = 3


class TaskInput(BaseModel):
    """What a person sets on a task made by hand."""

    model_config = ConfigDict(str_strip_whitespace=True)

    kind: str
    partner_id: int
    due_on: date
    contact_id: int | None = None
    assigned_to: int | None = None
    title: text(200) = ""
    instructions: text(10_000) = ""

    @field_validator("kind")
    @classmethod
    def _a_task_kind(cls, value: str) -> str:
        if value not in TOUCH_FOR:
            raise ValueError("a task is a call, a visit or a materials drop-off")
        return value


@dataclass(frozen=True)
class RecentTouch:
    occurred_at: datetime
    kind: str
    outcome: str


@dataclass(frozen=True)
class TaskItem:
    """A task with what a liaison needs to act on it without opening the partner."""

    task_id: int
    kind: str
    title: str
    instructions: str
    due_on: date
    assigned_to: int | None
    assignee: str
    partner_id: int
    partner_name: str
    contact_id: int | None
    contact_name: str
    phone: str
    address: str
    city: str
    zip: str
    from_cadence: bool
    last_touches: list[RecentTouch] = field(default_factory=list)


@dataclass(frozen=True)
class MyWeek:
    overdue: list[TaskItem]
    today: list[TaskItem]
    this_week: list[TaskItem]


@dataclass(frozen=True)
class LiaisonLoad:
    user_id: int | None
    name: str
    open: int
    overdue: int


@dataclass(frozen=True)
class TeamTasks:
    liaisons: list[LiaisonLoad]
    tasks: list[TaskItem]


def create_task(session: Session, actor: Actor, data: TaskInput, now: datetime) -> Task:
    require_editor(actor)
    get_partner(session, data.partner_id)
    _check_contact(session, data.partner_id, data.contact_id)
    if data.assigned_to is not None:
        _check_assignee(session, data.assigned_to)
    task = Task(
        idempotency_key=f"manual:{uuid.uuid4()}",
        created_at=now,
        updated_at=now,
        **data.model_dump(),
    )
    session.add(task)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "task",
        task.id,
        {"kind": task.kind, "partner_id": task.partner_id, "due_on": task.due_on},
        now,
    )
    return task


def create_task_once(
    session: Session,
    *,
    idempotency_key: str,
    kind: str,
    partner_id: int,
    due_on: date,
    now: datetime,
    title: str = "",
    instructions: str = "",
    contact_id: int | None = None,
    assigned_to: int | None = None,
) -> int | None:
    """A task a rule sets off (a cadence step, a low survey score), made at most once per
    key even when two requests race: the id of the task made now, or None when the key
    had its task already. The key names the rule and its occasion."""
    if kind not in TOUCH_FOR:
        raise ValueError(f"a task is a call, a visit or a materials drop-off, not {kind!r}")
    row = {
        "idempotency_key": idempotency_key,
        "kind": kind,
        "title": title[:200],
        "instructions": instructions,
        "partner_id": partner_id,
        "contact_id": contact_id,
        "assigned_to": assigned_to,
        "due_on": due_on,
        "status": TaskStatus.OPEN.value,
        "skip_reason": "",
        "created_at": now,
        "updated_at": now,
    }
    statement = (
        insert_for(session, Task)
        .values(row)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Task.__table__.c.id)
    )
    made = session.execute(statement).scalar_one_or_none()
    if made is not None:
        audit.record(
            session,
            SYSTEM,
            "create",
            "task",
            made,
            {"kind": kind, "partner_id": partner_id, "due_on": due_on, "rule": idempotency_key},
            now,
        )
    return made


def partner_choices(session: Session) -> list[tuple[int, str]]:
    """Partners a task can be made for (not archived), as (id, "name, city"), by name."""
    rows = session.execute(
        select(Partner.id, Partner.name, Partner.city)
        .where(Partner.archived_at.is_(None))
        .order_by(Partner.name, Partner.city, Partner.id)
    )
    return [(pid, f"{name}, {city}" if city else name) for pid, name, city in rows]


def end_of_week(today: date) -> date:
    """The Sunday closing today's Monday-to-Sunday week."""
    return today + timedelta(days=6 - today.weekday())


def my_week(session: Session, user_id: int, today: date) -> MyWeek:
    """A liaison's open tasks up to Sunday: overdue ones first, then today's, then the
    rest of the week."""
    items = _task_items(
        session,
        [
            Task.assigned_to == user_id,
            Task.status == TaskStatus.OPEN.value,
            Task.due_on <= end_of_week(today),
        ],
    )
    return MyWeek(
        overdue=[i for i in items if i.due_on < today],
        today=[i for i in items if i.due_on == today],
        this_week=[i for i in items if i.due_on > today],
    )


def due_on(session: Session, user_id: int, day: date) -> list[TaskItem]:
    """A liaison's open tasks due on `day`, for planning that day's route."""
    return _task_items(
        session,
        [Task.assigned_to == user_id, Task.status == TaskStatus.OPEN.value, Task.due_on == day],
    )


def route(items: Iterable[TaskItem]) -> list[TaskItem]:
    """The visits and drop-offs among `items` in driving order by town: city, then ZIP,
    then street, so neighbours are visited one after another."""
    stops = [i for i in items if i.kind in ON_THE_ROAD]
    return sorted(
        stops,
        key=lambda i: (i.city.casefold(), i.zip, i.address.casefold(), i.partner_name.casefold()),
    )


def team_tasks(session: Session, today: date) -> TeamTasks:
    """Every liaison's open tasks, with open and overdue counts per liaison (one
    grouped query; tasks nobody holds are counted under "Unassigned")."""
    overdue = func.sum(case((Task.due_on < today, 1), else_=0))
    rows = session.execute(
        select(Task.assigned_to, User.name, User.email, func.count(), overdue)
        .join(User, Task.assigned_to == User.id, isouter=True)
        .where(Task.status == TaskStatus.OPEN.value)
        .group_by(Task.assigned_to, User.name, User.email)
    ).all()
    liaisons = sorted(
        (
            LiaisonLoad(
                uid, (name or email) if uid is not None else "Unassigned", count, int(late or 0)
            )
            for uid, name, email, count, late in rows
        ),
        key=lambda load: (load.user_id is None, load.name.casefold()),
    )
    tasks = _task_items(session, [Task.status == TaskStatus.OPEN.value])
    return TeamTasks(liaisons=liaisons, tasks=tasks)


def complete_task(
    session: Session, actor: Actor, task_id: int, outcome: str, notes: str, now: datetime
) -> Touch:
    """Mark the task done and log its touch. The status changes by a conditional UPDATE
    first, so two people completing the same task log one touch, not two."""
    require_editor(actor)
    task = _task(session, task_id)
    data = TouchInput(
        kind=TOUCH_FOR[task.kind],
        occurred_at=now,
        contact_id=task.contact_id,
        outcome=outcome,
        notes=notes,
    )
    _claim_open(
        session, task, {"status": TaskStatus.DONE.value, "completed_at": now, "updated_at": now}
    )
    touch = log_touch(session, actor, task.partner_id, data, now)
    touch.task_id = task.id
    session.flush()
    audit.record(
        session, actor, "complete", "task", task.id, {"touch_id": touch.id, "outcome": outcome}, now
    )
    return touch


def snooze_task(
    session: Session, actor: Actor, task_id: int, until: date, today: date, now: datetime
) -> Task:
    """Move an open task to a later day (a closed office, a rescheduled visit)."""
    require_editor(actor)
    if until <= today:
        raise InvalidInput("snooze to a day after today")
    task = _open_task(session, task_id)
    audit.apply_changes(session, actor, "task", task, {"due_on": until}, now)
    return task


def reassign_task(
    session: Session, actor: Actor, task_id: int, user_id: int, now: datetime
) -> Task:
    require_editor(actor)
    _check_assignee(session, user_id)
    task = _open_task(session, task_id)
    audit.apply_changes(session, actor, "task", task, {"assigned_to": user_id}, now)
    return task


def skip_task(session: Session, actor: Actor, task_id: int, reason: str, now: datetime) -> Task:
    """Close a task without doing it. The reason is required: a skipped visit with no
    why cannot be told apart from a forgotten one."""
    require_editor(actor)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why the task is skipped")
    if len(reason) > 200:
        raise InvalidInput("keep the reason under 200 characters")
    task = _task(session, task_id)
    _claim_open(
        session,
        task,
        {"status": TaskStatus.SKIPPED.value, "skip_reason": reason, "updated_at": now},
    )
    audit.record(session, actor, "skip", "task", task.id, {"reason": reason}, now)
    return task


def _task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"no task with id {task_id}")
    return task


def _open_task(session: Session, task_id: int) -> Task:
    task = _task(session, task_id)
    if task.status != TaskStatus.OPEN.value:
        raise Conflict(f"this task is already {TaskStatus(task.status).label.lower()}")
    return task


def _claim_open(session: Session, task: Task, values: dict[str, Any]) -> None:
    """Close an open task; exactly one row changes or someone else closed it first."""
    changed = session.execute(
        update(Task)
        .where(Task.id == task.id, Task.status == TaskStatus.OPEN.value)
        .values(**values)
    ).rowcount
    if changed != 1:
        session.refresh(task)
        raise Conflict(f"this task is already {TaskStatus(task.status).label.lower()}")
    session.refresh(task)


def _check_contact(session: Session, partner_id: int, contact_id: int | None) -> None:
    if contact_id is None:
        return
    contact = session.get(Contact, contact_id)
    if contact is None or contact.partner_id != partner_id:
        raise InvalidInput("that contact does not work at this partner")


def _check_assignee(session: Session, user_id: int) -> None:
    """Only someone who can complete a task may hold it: an active editor."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise InvalidInput("assign the task to an active user")
    if user.role == Role.VIEWER.value:
        raise InvalidInput(
            f"{user.name or user.email} has a read-only role and could not complete the task"
        )


def tasks_with_whom(*extra: Any) -> Select:
    """Tasks with whom they are: the partner's name, phone, address, city and ZIP and the
    contact's first and last name and phone, then `extra` columns; what any list of tasks
    (My week, a calendar feed) shows of each."""
    return (
        select(
            Task,
            Partner.name,
            Partner.phone,
            Partner.address,
            Partner.city,
            Partner.zip,
            Contact.first_name,
            Contact.last_name,
            Contact.phone,
            *extra,
        )
        .join(Partner, Task.partner_id == Partner.id)
        .join(Contact, Task.contact_id == Contact.id, isouter=True)
    )


def _task_items(session: Session, conditions: list[ColumnElement[bool]]) -> list[TaskItem]:
    rows = session.execute(
        tasks_with_whom(User.name, User.email)
        .join(User, Task.assigned_to == User.id, isouter=True)
        .where(*conditions)
        .order_by(Task.due_on, Partner.name, Task.id)
    ).all()
    touches = last_touches(session, {row[0].partner_id for row in rows})
    return [_item(row, touches.get(row[0].partner_id, [])) for row in rows]


def _item(row: Any, touches: list[RecentTouch]) -> TaskItem:
    (
        task,
        partner,
        partner_phone,
        address,
        city,
        zip_code,
        first,
        last,
        contact_phone,
        user_name,
        email,
    ) = row
    return TaskItem(
        task_id=task.id,
        kind=task.kind,
        title=task.title,
        instructions=task.instructions,
        due_on=task.due_on,
        assigned_to=task.assigned_to,
        assignee=user_name or email or "",
        partner_id=task.partner_id,
        partner_name=partner,
        contact_id=task.contact_id,
        contact_name=f"{first or ''} {last or ''}".strip(),
        phone=display_phone(contact_phone or partner_phone),
        address=address,
        city=city,
        zip=zip_code,
        from_cadence=task.step_id is not None,
        last_touches=touches,
    )


def last_touches(
    session: Session, partner_ids: Iterable[int], per_partner: int = TOUCHES_SHOWN
) -> dict[int, list[RecentTouch]]:
    """The newest touches of each partner, newest first, in one query."""
    ids = sorted(set(partner_ids))
    if not ids:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=Touch.partner_id, order_by=(Touch.occurred_at.desc(), Touch.id.desc()))
        .label("rank")
    )
    ranked = (
        select(Touch.partner_id, Touch.occurred_at, Touch.kind, Touch.outcome, rank)
        .where(Touch.partner_id.in_(ids))
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.partner_id, ranked.c.occurred_at, ranked.c.kind, ranked.c.outcome)
        .where(ranked.c.rank <= per_partner)
        .order_by(ranked.c.partner_id, ranked.c.rank)
    ).all()
    found: dict[int, list[RecentTouch]] = {}
    for partner_id, occurred_at, kind, outcome in rows:
        found.setdefault(partner_id, []).append(RecentTouch(occurred_at, kind, outcome))
    return found
