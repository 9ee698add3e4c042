"""The liaison's task list: the week's buckets, what each task shows, completing,
snoozing, reassigning and skipping, the route, the team view and who may change what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from crm.access import PermissionDenied
from crm.models import AuditLog, Task, Touch, User
from crm.tasks import (
    TaskInput,
    complete_task,
    create_task,
    my_week,
    partner_choices,
    reassign_task,
    route,
    skip_task,
    snooze_task,
    team_tasks,
)
from tests.conftest import NOW as NOW_
from tests.factories import make_contact, make_partner, make_touch

TODAY = date(2026, 11, 25)  # a Wednesday: the week runs to Sunday the 29th


def _task(
    session,
    actor,
    partner=None,
    due_on=TODAY,
    kind="call",  # type: ignore[no-untyped-def]
    assigned_to=None,
    **fields,
):
    partner = partner or make_partner(session)
    task = create_task(
        session,
        actor,
        TaskInput(
            kind=kind,
            partner_id=partner.id,
            due_on=due_on,
            assigned_to=assigned_to or actor.id,
            **fields,
        ),
        NOW_,
    )
    session.commit()
    return task


def test_my_week_puts_open_tasks_in_overdue_today_and_this_week(session, marketer):
    late = _task(session, marketer, due_on=TODAY - timedelta(days=3))
    now_due = _task(session, marketer, due_on=TODAY)
    sunday = _task(session, marketer, due_on=date(2026, 11, 29))
    _task(session, marketer, due_on=date(2026, 11, 30))  # next week
    week = my_week(session, marketer.id, TODAY)
    assert (
        [i.task_id for i in week.overdue],
        [i.task_id for i in week.today],
        [i.task_id for i in week.this_week],
    ) == ([late.id], [now_due.id], [sunday.id])


def test_my_week_leaves_out_other_liaisons_and_closed_tasks(session, marketer, admin):
    _task(session, admin)
    done = _task(session, marketer)
    complete_task(session, marketer, done.id, "left a message", "", NOW_)
    session.commit()
    week = my_week(session, marketer.id, TODAY)
    assert week.overdue == week.today == week.this_week == []


def test_a_task_shows_partner_contact_phone_and_address(session, marketer):
    partner = make_partner(
        session,
        name="Back Bay Family Medicine",
        address="12 Boylston St",
        city="Boston",
        zip="02116",
        phone="+16175550100",
    )
    contact = make_contact(
        session, partner, first_name="Ana", last_name="Ruiz", phone="+16175550123"
    )
    _task(session, marketer, partner=partner, contact_id=contact.id)
    item = my_week(session, marketer.id, TODAY).today[0]
    assert (
        item.partner_name,
        item.contact_name,
        item.phone,
        item.address,
        item.city,
        item.zip,
    ) == (
        "Back Bay Family Medicine",
        "Ana Ruiz",
        "(617) 555-0123",
        "12 Boylston St",
        "Boston",
        "02116",
    )


def test_a_task_without_a_contact_shows_the_partners_phone(session, marketer):
    partner = make_partner(session, phone="+16175550100")
    _task(session, marketer, partner=partner)
    assert my_week(session, marketer.id, TODAY).today[0].phone == "(617) 555-0100"


def test_a_task_shows_the_partners_last_three_touches_newest_first(session, marketer):
    partner = make_partner(session)
    for days, outcome in [(40, "oldest"), (30, "third"), (20, "second"), (10, "newest")]:
        make_touch(session, partner, occurred_at=NOW_ - timedelta(days=days), outcome=outcome)
    _task(session, marketer, partner=partner)
    assert [t.outcome for t in my_week(session, marketer.id, TODAY).today[0].last_touches] == [
        "newest",
        "second",
        "third",
    ]


def test_the_week_is_read_in_a_fixed_number_of_queries(session, marketer, engine):
    for _ in range(6):
        partner = make_partner(session)
        make_touch(session, partner)
        _task(session, marketer, partner=partner)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        week = my_week(session, marketer.id, TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(week.today) == 6 and len(statements) == 2


def test_completing_a_call_logs_a_call_touch_linked_to_the_task(session, marketer):
    task = _task(session, marketer, kind="call")
    touch = complete_task(
        session, marketer, task.id, "spoke with the office manager", "wants flyers", NOW_
    )
    session.commit()
    assert (touch.kind, touch.task_id, touch.outcome, touch.notes, touch.user_id) == (
        "call",
        task.id,
        "spoke with the office manager",
        "wants flyers",
        marketer.id,
    )


def test_completing_a_drop_off_logs_a_materials_drop_off(session, marketer):
    task = _task(session, marketer, kind="drop_off")
    assert (
        complete_task(session, marketer, task.id, "left brochures", "", NOW_).kind
        == "materials_drop_off"
    )


def test_completing_marks_the_task_done_with_its_time_and_audits_it(session, marketer):
    task = _task(session, marketer, kind="visit")
    complete_task(session, marketer, task.id, "met Dr. Ruiz", "", NOW_)
    session.commit()
    stored = session.get(Task, task.id)
    assert (stored.status, stored.completed_at) == ("done", NOW_)
    assert session.exec(select(AuditLog.action).where(AuditLog.entity == "task")).all() == [
        "create",
        "complete",
    ]


def test_a_task_is_completed_once(session, marketer):
    task = _task(session, marketer)
    complete_task(session, marketer, task.id, "done", "", NOW_)
    session.commit()
    with pytest.raises(ValueError, match="already done"):
        complete_task(session, marketer, task.id, "again", "", NOW_)
    session.rollback()
    assert len(session.exec(select(Touch)).all()) == 1


def test_any_editor_completes_a_task_assigned_to_someone_else(session, marketer, admin):
    task = _task(session, marketer)
    assert (
        complete_task(session, admin, task.id, "covered for a colleague", "", NOW_).user_id
        == admin.id
    )


def test_snoozing_moves_the_task_to_the_chosen_day(session, marketer):
    task = _task(session, marketer)
    snooze_task(session, marketer, task.id, date(2026, 12, 2), TODAY, NOW_)
    session.commit()
    assert session.get(Task, task.id).due_on == date(2026, 12, 2)


def test_a_task_cannot_be_snoozed_to_today_or_earlier(session, marketer):
    task = _task(session, marketer)
    with pytest.raises(ValueError, match="after today"):
        snooze_task(session, marketer, task.id, TODAY, TODAY, NOW_)


def test_reassigning_gives_the_task_to_another_liaison(session, marketer, admin):
    task = _task(session, marketer)
    reassign_task(session, marketer, task.id, admin.id, NOW_)
    session.commit()
    assert [i.task_id for i in my_week(session, admin.id, TODAY).today] == [task.id]


def test_a_task_cannot_be_given_to_a_read_only_user(session, marketer, viewer):
    task = _task(session, marketer)
    with pytest.raises(ValueError, match="read-only"):
        reassign_task(session, marketer, task.id, viewer.id, NOW_)


def test_skipping_closes_the_task_with_its_reason(session, marketer):
    task = _task(session, marketer)
    skip_task(session, marketer, task.id, "office closed for renovation", NOW_)
    session.commit()
    stored = session.get(Task, task.id)
    assert (stored.status, stored.skip_reason) == ("skipped", "office closed for renovation")


def test_skipping_needs_a_reason(session, marketer):
    task = _task(session, marketer)
    with pytest.raises(ValueError, match="say why"):
        skip_task(session, marketer, task.id, "   ", NOW_)


def test_todays_visits_are_ordered_by_city_then_zip(session, marketer):
    stops = [
        ("Newton", "02460"),
        ("Brookline", "02446"),
        ("Newton", "02458"),
        ("Brookline", "02445"),
    ]
    for city, zip_code in stops:
        _task(
            session, marketer, partner=make_partner(session, city=city, zip=zip_code), kind="visit"
        )
    _task(session, marketer, kind="call")
    ordered = route(my_week(session, marketer.id, TODAY).today)
    assert [(i.city, i.zip) for i in ordered] == [
        ("Brookline", "02445"),
        ("Brookline", "02446"),
        ("Newton", "02458"),
        ("Newton", "02460"),
    ]


def test_the_team_view_counts_open_and_overdue_tasks_per_liaison(session, marketer, admin):
    _task(session, marketer, due_on=TODAY - timedelta(days=1))
    _task(session, marketer, due_on=TODAY + timedelta(days=1))
    _task(session, admin)
    team = team_tasks(session, TODAY)
    names = {u.id: u.name for u in session.exec(select(User)).all()}
    assert {(load.name, load.open, load.overdue) for load in team.liaisons} == {
        (names[marketer.id], 2, 1),
        (names[admin.id], 1, 0),
    }


def test_the_team_view_lists_every_liaisons_open_tasks(session, marketer, admin):
    mine = _task(session, marketer)
    theirs = _task(session, admin)
    assert {i.task_id for i in team_tasks(session, TODAY).tasks} == {mine.id, theirs.id}


@pytest.mark.parametrize("change", ["complete", "snooze", "reassign", "skip", "create"])
def test_a_viewer_changes_no_task(session, marketer, viewer, change):
    task = _task(session, marketer)
    calls = {
        "complete": lambda: complete_task(session, viewer, task.id, "x", "", NOW_),
        "snooze": lambda: snooze_task(
            session, viewer, task.id, TODAY + timedelta(days=1), TODAY, NOW_
        ),
        "reassign": lambda: reassign_task(session, viewer, task.id, marketer.id, NOW_),
        "skip": lambda: skip_task(session, viewer, task.id, "no", NOW_),
        "create": lambda: create_task(
            session, viewer, TaskInput(kind="call", partner_id=task.partner_id, due_on=TODAY), NOW_
        ),
    }
    with pytest.raises(PermissionDenied):
        calls[change]()


def test_a_task_is_a_call_a_visit_or_a_drop_off(session, marketer):
    with pytest.raises(ValueError, match="call, a visit"):
        TaskInput(kind="email", partner_id=1, due_on=TODAY)


def test_a_task_contact_must_work_at_its_partner(session, marketer):
    elsewhere = make_contact(session, make_partner(session))
    with pytest.raises(ValueError, match="does not work at this partner"):
        create_task(
            session,
            marketer,
            TaskInput(
                kind="call",
                partner_id=make_partner(session).id,
                contact_id=elsewhere.id,
                due_on=TODAY,
            ),
            NOW_,
        )


def test_archived_partners_are_not_offered_for_a_new_task(session):
    kept = make_partner(session, name="Kept", city="Boston")
    make_partner(session, name="Gone", archived_at=NOW_)
    assert partner_choices(session) == [(kept.id, "Kept, Boston")]
