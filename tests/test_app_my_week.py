"""The My week and Team tasks pages: a liaison's lists, completing and skipping from the
page, the route, and a read-only user seeing the lists with no controls."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from crm import clock
from crm.models import Task, Touch
from crm.tasks import TaskInput, create_task
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.conftest import NOW
from tests.factories import make_contact, make_partner, make_user

MY_WEEK = "ui/pages/my_week.py"
TEAM = "ui/pages/team.py"


def _today():  # type: ignore[no-untyped-def]
    """The pages read the real clock, in the practice's zone (the tests' LIAISON_TIMEZONE)."""
    return clock.now().astimezone(ZoneInfo("America/New_York")).date()


def _liaison(session, email="maria@practice.example.org", role="marketer"):  # type: ignore[no-untyped-def]
    return make_user(session, email=email, role=role, name=email.split("@")[0].capitalize())


def _task(session, actor, kind="call", days=0, **partner_fields):  # type: ignore[no-untyped-def]
    partner = make_partner(session, **partner_fields)
    due_on = _today() + timedelta(days=days)
    task = create_task(
        session,
        actor,
        TaskInput(kind=kind, partner_id=partner.id, due_on=due_on, assigned_to=actor.id),
        NOW,
    )
    session.commit()
    return task


def test_a_liaison_sees_todays_task_with_the_partner_and_phone(app_database, session):
    maria = _liaison(session)
    partner = make_partner(session, name="Back Bay Family Medicine")
    contact = make_contact(
        session, partner, first_name="Ana", last_name="Ruiz", phone="+16175550123"
    )
    create_task(
        session,
        maria,
        TaskInput(
            kind="call",
            partner_id=partner.id,
            contact_id=contact.id,
            due_on=_today(),
            assigned_to=maria.id,
        ),
        NOW,
    )
    session.commit()
    shown = texts(signed_in("maria@practice.example.org").switch_page(MY_WEEK).run())
    assert "Back Bay Family Medicine" in shown and "Ana Ruiz · (617) 555-0123" in shown


def test_a_liaison_completes_a_task_with_an_outcome(app_database, session):
    maria = _liaison(session)
    task = _task(session, maria)
    at = signed_in("maria@practice.example.org").switch_page(MY_WEEK).run()
    at.text_input(key=f"outcome_{task.id}").input("booked a lunch-and-learn")
    at.button(key=f"complete_{task.id}").click().run()
    session.expire_all()
    assert session.get(Task, task.id).status == "done"
    assert session.exec(select(Touch.outcome).where(Touch.task_id == task.id)).all() == [
        "booked a lunch-and-learn"
    ]


def test_a_liaison_skips_a_task_with_a_reason(app_database, session):
    maria = _liaison(session)
    task = _task(session, maria, days=-2)
    at = signed_in("maria@practice.example.org").switch_page(MY_WEEK).run()
    at.text_input(key=f"skip_reason_{task.id}").input("practice closed")
    at.button(key=f"skip_{task.id}").click().run()
    session.expire_all()
    assert (session.get(Task, task.id).status, session.get(Task, task.id).skip_reason) == (
        "skipped",
        "practice closed",
    )


def test_skipping_without_a_reason_is_refused_on_the_page(app_database, session):
    maria = _liaison(session)
    task = _task(session, maria)
    at = signed_in("maria@practice.example.org").switch_page(MY_WEEK).run()
    at.button(key=f"skip_{task.id}").click().run()
    session.expire_all()
    assert session.get(Task, task.id).status == "open" and "Say why the task is skipped." in texts(
        at
    )


def test_todays_visits_are_shown_as_a_route_by_city(app_database, session):
    maria = _liaison(session)
    _task(session, maria, kind="visit", name="Newton Ortho", city="Newton")
    _task(session, maria, kind="visit", name="Allston PT", city="Allston")
    at = signed_in("maria@practice.example.org").switch_page(MY_WEEK).run()
    at.toggle(key="my_week_route").set_value(True).run()
    assert list(at.dataframe[0].value["Partner"]) == ["Allston PT", "Newton Ortho"]


def test_a_viewer_sees_a_liaisons_week_without_any_controls(app_database, session):
    maria = _liaison(session)
    task = _task(session, maria, name="Back Bay Family Medicine")
    _liaison(session, email="lee@practice.example.org", role="viewer")
    at = signed_in("lee@practice.example.org").switch_page(MY_WEEK).run()
    at.selectbox(key="my_week_user").set_value(maria.id).run()
    assert "Back Bay Family Medicine" in texts(at)
    controls = {f"{name}_{task.id}" for name in ("complete", "snooze", "reassign", "skip")}
    assert not [b for b in at.button if b.key in controls]


def test_the_team_page_lists_every_liaisons_open_tasks_for_a_viewer(app_database, session):
    maria = _liaison(session)
    sam = _liaison(session, email="sam@practice.example.org")
    _task(session, maria, name="Back Bay Family Medicine", days=-1)
    _task(session, sam, name="Allston PT")
    _liaison(session, email="lee@practice.example.org", role="viewer")
    at = signed_in("lee@practice.example.org").switch_page(TEAM).run()
    loads = at.dataframe[0].value
    assert sorted(zip(loads["Liaison"], loads["Open"], loads["Overdue"])) == [
        ("Maria", 1, 1),
        ("Sam", 1, 0),
    ]
    assert set(at.dataframe[1].value["Partner"]) == {"Back Bay Family Medicine", "Allston PT"}


def test_a_liaison_adds_a_visit_by_hand(app_database, session):
    maria = _liaison(session)
    partner = make_partner(session, name="Newton Ortho", city="Newton")
    at = signed_in("maria@practice.example.org").switch_page(MY_WEEK).run()
    at.selectbox(key="new_task_partner").set_value(partner.id).run()
    at.selectbox(key="new_task_kind").set_value("visit").run()
    at.text_input(key="new_task_title").input("Meet the new PA")
    at.button(key="new_task_add").click().run()
    tasks = session.exec(select(Task)).all()
    assert [(t.partner_id, t.kind, t.assigned_to, t.due_on, t.title) for t in tasks] == [
        (partner.id, "visit", maria.id, _today(), "Meet the new PA")
    ]


def test_a_liaison_snoozes_a_task_to_a_later_day(app_database, session):
    maria = _liaison(session)
    task = _task(session, maria)
    at = signed_in("maria@practice.example.org").switch_page(MY_WEEK).run()
    at.date_input(key=f"snooze_until_{task.id}").set_value(_today() + timedelta(days=3)).run()
    at.button(key=f"snooze_{task.id}").click().run()
    session.expire_all()
    assert session.get(Task, task.id).due_on == _today() + timedelta(days=3)


def test_a_liaison_hands_a_task_to_a_colleague(app_database, session):
    maria = _liaison(session)
    sam = _liaison(session, email="sam@practice.example.org")
    task = _task(session, maria)
    at = signed_in("maria@practice.example.org").switch_page(MY_WEEK).run()
    at.selectbox(key=f"reassign_to_{task.id}").set_value(sam.id).run()
    at.button(key=f"reassign_{task.id}").click().run()
    session.expire_all()
    assert session.get(Task, task.id).assigned_to == sam.id
