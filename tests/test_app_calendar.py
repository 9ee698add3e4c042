"""The Calendar page: counts per liaison, who is in a day's items, the bulk-email
preview of a planned step, and a read-only user seeing it all and changing nothing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from campaigns.cadences.state import project_schedule
from campaigns.calendar import quarter_of
from crm import clock
from crm.access import PermissionDenied
from crm.models import Cadence, CadenceStep, Enrolment
from crm.tasks import TaskInput, create_task, skip_task
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.conftest import NOW
from tests.factories import make_contact, make_partner, make_touch, make_user

PAGE = "ui/pages/calendar.py"
ZONE = ZoneInfo("America/New_York")


def _today():  # type: ignore[no-untyped-def]
    return clock.now().astimezone(ZONE).date()


def _people(session):  # type: ignore[no-untyped-def]
    maria = make_user(session, email="maria@practice.example.org", role="marketer", name="Maria")
    make_user(session, email="lee@practice.example.org", role="viewer", name="Lee")
    return maria


def _task(session, actor, name="Back Bay Family Medicine"):  # type: ignore[no-untyped-def]
    partner = make_partner(session, name=name)
    task = create_task(
        session,
        actor,
        TaskInput(
            kind="visit",
            partner_id=partner.id,
            due_on=_today(),
            assigned_to=actor.id,
            title="Deliver flyers",
        ),
        NOW,
    )
    session.commit()
    return task


def _planned_email(session):  # type: ignore[no-untyped-def]
    """An email step for a partner with one reachable and one opted-out physician; the
    day the projection plans it."""
    partner = make_partner(session, name="Allston Urgent Care")
    make_contact(session, partner, first_name="Ana", last_name="Ruiz")
    make_contact(session, partner, first_name="Ben", last_name="Ode", email_opt_out=True)
    now = clock.now()
    cadence = Cadence(name="Winter nurture", created_at=now, updated_at=now)
    session.add(cadence)
    session.flush()
    session.add(
        CadenceStep(
            cadence_id=cadence.id,
            position=1,
            action="email",
            template="partner_checkin",
            contact_roles="physician",
            offset_days=1,
            offset_from="enrolment",
            title="Flu season",
            created_at=now,
            updated_at=now,
        )
    )
    session.add(
        Enrolment(
            cadence_id=cadence.id,
            partner_id=partner.id,
            enrolled_at=now,
            anchor_at=now,
            next_due_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    session.commit()
    planned = project_schedule(
        session, _today(), _today().replace(year=_today().year + 1), now, timezone=ZONE.key
    )
    return planned[0].due_on


def test_the_calendar_counts_planned_items_per_liaison(app_database, session):
    maria = _people(session)
    _task(session, maria)
    at = signed_in("maria@practice.example.org").switch_page(PAGE).run()
    liaisons = at.dataframe[0].value
    assert list(zip(liaisons["Liaison"], liaisons["Planned"], liaisons["Done"])) == [
        ("Maria", 1, 0)
    ]


def test_picking_a_day_shows_who_is_in_each_item(app_database, session):
    maria = _people(session)
    _task(session, maria, name="Back Bay Family Medicine")
    at = signed_in("maria@practice.example.org").switch_page(PAGE).run()
    at.selectbox(key="calendar_day").set_value(_today()).run()
    assert [e.label for e in at.expander] == ["Planned · Task · Visit: Deliver flyers (1)"]
    assert list(at.dataframe[1].value["Partner"]) == ["Back Bay Family Medicine"]


def test_logged_touches_are_named_in_words_once(app_database, session):
    _people(session)
    partner = make_partner(session, name="Back Bay Family Medicine")
    make_touch(session, partner, NOW, kind="materials_drop_off")
    make_touch(session, partner, NOW, kind="call")
    at = signed_in("maria@practice.example.org").switch_page(PAGE).run()
    at.selectbox(key="calendar_day").set_value(NOW.astimezone(ZONE).date()).run()
    assert sorted(e.label for e in at.expander) == [
        "Done · Touch · Call (1)",
        "Done · Touch · Materials drop-off (1)",
    ]


def test_the_preview_of_a_planned_email_step_says_who_is_left_out_and_why(app_database, session):
    _people(session)
    day = _planned_email(session)
    at = signed_in("maria@practice.example.org").switch_page(PAGE).run()
    at.date_input(key="calendar_anchor").set_value(day).run()
    at.selectbox(key="calendar_day").set_value(day).run()
    at.toggle(key="calendar_preview_0").set_value(True).run()
    preview = at.dataframe[2].value
    assert sorted(zip(preview["Contact"], preview["Why not"])) == [
        ("Ana Ruiz", ""),
        ("Ben Ode", "opted out of email"),
    ]


def test_a_viewer_sees_the_calendar(app_database, session):
    maria = _people(session)
    _task(session, maria)
    at = signed_in("lee@practice.example.org").switch_page(PAGE).run()
    assert not at.exception and "1 planned, 0 done" in texts(at)


def test_an_empty_period_says_nothing_is_planned(app_database, session):
    _people(session)
    at = signed_in("maria@practice.example.org").switch_page(PAGE).run()
    assert "Nothing planned or done in this period." in texts(at)


def test_a_viewer_cannot_change_a_task_the_calendar_shows(app_database, session):
    maria = _people(session)
    task = _task(session, maria)
    viewer = make_user(session, role="viewer")
    with pytest.raises(PermissionDenied):
        skip_task(session, viewer, task.id, "not needed", NOW)


def test_the_quarter_view_covers_the_whole_quarter(app_database, session):
    _people(session)
    at = signed_in("maria@practice.example.org").switch_page(PAGE).run()
    at.button_group(key="calendar_view").set_value("Quarter").run()
    first, last = quarter_of(_today())
    assert f"{first:%b %d} – {last:%b %d, %Y}" in texts(at)
