"""The cadence planner: a pure function from enrolments, steps, what already ran and the
clock to what is due now and when each enrolment next needs looking at.

Kept free of I/O so every timing rule (business days, pauses, recurring occurrences,
edits) is tested with plain values and a fixed `now`; `campaigns.cadences.job` is the
one place that reads the rows and performs what this returns.

How a step's day is found: a sequence counts from the enrolment's anchor (the
enrolment time, moved forward by pauses); each step is `offset_days` business days (on
the practice's calendar, its holidays and closed days skipped)
after the previous live step, or after the anchor when `offset_from` is "enrolment".
A recurring plan repeats the same chain in every month or quarter, counting from the
period's first day; the period is the occurrence ("2026-11", "2026Q4"). A step is
never due before the anchor: a partner enrolled mid-month gets this month's touch now,
not a backdated one. Removed steps are simply absent, so they are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from crm.business_days import WEEKENDS_ONLY, Calendar, add_business_days, due_moment, local_date
from crm.vocab import Recurrence

FROM_ENROLMENT = "enrolment"
FROM_PREVIOUS = "previous"
ONCE = ""  # the occurrence of a (non-recurring) sequence's steps


@dataclass(frozen=True)
class StepPlan:
    id: int
    position: int
    action: str
    offset_days: int
    offset_from: str = FROM_PREVIOUS
    title: str = ""


@dataclass(frozen=True)
class CadencePlan:
    """A cadence's live steps (removed ones left out), in position order."""

    id: int
    recurrence: str
    steps: tuple[StepPlan, ...]
    name: str = ""


@dataclass(frozen=True)
class EnrolmentState:
    id: int
    cadence_id: int
    partner_id: int
    anchor_at: datetime
    owner_id: int | None = None


@dataclass(frozen=True)
class Due:
    enrolment_id: int
    partner_id: int
    step: StepPlan
    occurrence: str
    due_at: datetime
    due_on: date


@dataclass(frozen=True)
class Progress:
    """Where an enrolment stands after this pass: when to look again (None: only when
    the cadence changes) and whether every step has run."""

    enrolment_id: int
    next_due_at: datetime | None
    completed: bool


@dataclass(frozen=True)
class Plan:
    due: list[Due]
    progress: list[Progress]


Ran = Mapping[int, set[tuple[int, str]]]  # enrolment id -> {(step id, occurrence)}


def plan(
    enrolments: Iterable[EnrolmentState],
    cadences: Mapping[int, CadencePlan],
    ran: Ran,
    now: datetime,
    zone: ZoneInfo,
    calendar: Calendar = WEEKENDS_ONLY,
) -> Plan:
    due: list[Due] = []
    progress: list[Progress] = []
    for enrolment in enrolments:
        cadence = cadences[enrolment.cadence_id]
        done = ran.get(enrolment.id, set())
        items = list(_window(enrolment, cadence, done, now, zone, calendar))
        due.extend(item for item in items if item.due_at <= now)
        later = [item.due_at for item in items if item.due_at > now]
        finished = not later and not cadence.recurrence
        progress.append(Progress(enrolment.id, min(later, default=None), finished))
    return Plan(due, progress)


def upcoming(
    enrolment: EnrolmentState,
    cadence: CadencePlan,
    done: set[tuple[int, str]],
    zone: ZoneInfo,
    first_period: date | None = None,
    calendar: Calendar = WEEKENDS_ONLY,
) -> Iterator[Due]:
    """Every step not yet run, occurrence by occurrence (endless for a recurring plan)."""
    if not cadence.steps:
        return
    anchor_day = local_date(enrolment.anchor_at, zone)
    if not cadence.recurrence:
        yield from _chain(enrolment, cadence, done, ONCE, anchor_day, zone, calendar)
        return
    period = period_start(max(first_period or anchor_day, anchor_day), cadence.recurrence)
    while True:
        key = occurrence_key(period, cadence.recurrence)
        yield from _chain(enrolment, cadence, done, key, period, zone, calendar)
        period = next_period(period, cadence.recurrence)


def _window(
    enrolment: EnrolmentState,
    cadence: CadencePlan,
    done: set[tuple[int, str]],
    now: datetime,
    zone: ZoneInfo,
    calendar: Calendar,
) -> Iterator[Due]:
    """What a pass must consider: a sequence's remaining steps; for a recurring plan the
    previous, current and next occurrence (a late pass still catches last month's
    end, and the next occurrence gives the next due time). Older missed occurrences
    are not sent late: a touch plan is about keeping in touch now."""
    if not cadence.recurrence:
        yield from upcoming(enrolment, cadence, done, zone, calendar=calendar)
        return
    current = period_start(local_date(now, zone), cadence.recurrence)
    previous = period_start(current - timedelta(days=1), cadence.recurrence)
    stop = next_period(next_period(current, cadence.recurrence), cadence.recurrence)
    for item in upcoming(enrolment, cadence, done, zone, previous, calendar):
        if item.due_on >= stop and item.due_at > now:
            return
        yield item


def _chain(
    enrolment: EnrolmentState,
    cadence: CadencePlan,
    done: set[tuple[int, str]],
    occurrence: str,
    base: date,
    zone: ZoneInfo,
    calendar: Calendar,
) -> Iterator[Due]:
    previous = base
    for step in cadence.steps:
        origin = base if step.offset_from == FROM_ENROLMENT else previous
        day = add_business_days(origin, step.offset_days, calendar)
        previous = day
        if (step.id, occurrence) in done:
            continue
        due_at = max(due_moment(day, zone), enrolment.anchor_at)
        yield Due(
            enrolment.id, enrolment.partner_id, step, occurrence, due_at, local_date(due_at, zone)
        )


def period_start(day: date, recurrence: str) -> date:
    if recurrence == Recurrence.MONTHLY:
        return day.replace(day=1)
    if recurrence == Recurrence.QUARTERLY:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"not a recurrence: {recurrence!r}")


def next_period(start: date, recurrence: str) -> date:
    months = 1 if recurrence == Recurrence.MONTHLY else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def occurrence_key(start: date, recurrence: str) -> str:
    """ "2026-11" for a month, "2026Q4" for a quarter: part of every idempotency key, so
    a recurring step runs once per occurrence."""
    if recurrence == Recurrence.MONTHLY:
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class PlannedItem:
    """A future step of an active enrolment, for the touchpoint calendar."""

    due_on: date
    action: str
    cadence_id: int
    cadence_name: str
    step_id: int
    step_title: str
    enrolment_id: int
    partner_id: int
    owner_id: int | None


def project(
    enrolments: Iterable[EnrolmentState],
    cadences: Mapping[int, CadencePlan],
    ran: Ran,
    start: date,
    end: date,
    today: date,
    zone: ZoneInfo,
    calendar: Calendar = WEEKENDS_ONLY,
) -> list[PlannedItem]:
    """Steps not yet run whose day falls in [start, end], pure. A step already overdue
    is shown today: that is when the next planner pass will do it."""
    items: list[PlannedItem] = []
    for enrolment in enrolments:
        cadence = cadences[enrolment.cadence_id]
        first = min(start, today) if cadence.recurrence else None
        beyond = (
            next_period(period_start(end, cadence.recurrence), cadence.recurrence)
            if cadence.recurrence
            else None
        )
        done = ran.get(enrolment.id, set())
        for due in upcoming(enrolment, cadence, done, zone, first, calendar):
            if beyond is not None and due.due_on >= beyond:
                break
            day = max(due.due_on, today)
            if start <= day <= end:
                items.append(
                    PlannedItem(
                        day,
                        due.step.action,
                        cadence.id,
                        cadence.name,
                        due.step.id,
                        due.step.title,
                        enrolment.id,
                        enrolment.partner_id,
                        enrolment.owner_id,
                    )
                )
    return sorted(items, key=lambda i: (i.due_on, i.cadence_name, i.enrolment_id, i.step_id))
