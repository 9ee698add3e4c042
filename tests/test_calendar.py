"""The touchpoint calendar: planned and done items from tasks, emails, touches and
cadence projections, counted per day and per liaison, and who is in each day's items."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from campaigns.calendar import DONE, PLANNED, calendar, day_detail, month_of, quarter_of
from crm.models import Cadence, CadenceStep, Enrolment, Message
from crm.tasks import TaskInput, complete_task, create_task
from tests.conftest import NOW
from tests.factories import make_contact, make_partner, make_touch

_KEYS = itertools.count(1)
ZONE = ZoneInfo("America/New_York")
START, END = date(2026, 11, 1), date(2026, 11, 30)


def _task(session, actor, due_on=date(2026, 11, 27), kind="visit", **fields):  # type: ignore[no-untyped-def]
    partner = fields.pop("partner", None) or make_partner(session)
    task = create_task(
        session,
        actor,
        TaskInput(kind=kind, partner_id=partner.id, due_on=due_on, assigned_to=actor.id, **fields),
        NOW,
    )
    session.commit()
    return task


def _message(session, partner=None, status="queued", kind="cadence", at=NOW, **fields):  # type: ignore[no-untyped-def]
    message = Message(
        **{
            "idempotency_key": f"test-{next(_KEYS)}",
            "kind": kind,
            "to_email": "ana@clinic.example.org",
            "to_name": "Ana Ruiz",
            "template": "partner_checkin",
            "subject": "Checking in",
            "html": "<p>x</p>",
            "text": "x",
            "status": status,
            "next_attempt_at": at,
            "sent_at": at if status == "sent" else None,
            "partner_id": partner.id if partner else None,
            "created_at": NOW,
            "updated_at": NOW,
            **fields,
        }
    )
    session.add(message)
    session.commit()
    return message


def _enrol(session, partner, action="email", title="Fall update"):  # type: ignore[no-untyped-def]
    cadence = Cadence(name=f"Fall nurture {partner.id}", created_at=NOW, updated_at=NOW)
    session.add(cadence)
    session.flush()
    session.add(
        CadenceStep(
            cadence_id=cadence.id,
            position=1,
            action=action,
            template="partner_checkin",
            contact_roles="physician",
            offset_days=2,
            offset_from="enrolment",
            title=title,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    session.add(
        Enrolment(
            cadence_id=cadence.id,
            partner_id=partner.id,
            enrolled_at=NOW,
            anchor_at=NOW,
            next_due_at=NOW,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    session.commit()
    return cadence


def _items(session, start=START, end=END):  # type: ignore[no-untyped-def]
    return calendar(session, start, end, NOW, ZONE).items


def test_an_open_task_is_planned_on_its_due_day(session, marketer):
    _task(session, marketer, due_on=date(2026, 11, 27))
    assert [(i.day, i.state, i.source, i.kind) for i in _items(session)] == [
        (date(2026, 11, 27), PLANNED, "task", "visit")
    ]


def test_a_done_task_shows_once_on_the_day_it_was_done(session, marketer):
    task = _task(session, marketer, due_on=date(2026, 11, 20))
    complete_task(session, marketer, task.id, "met the office manager", "", NOW)
    session.commit()
    assert [(i.day, i.state, i.source) for i in _items(session)] == [
        (date(2026, 11, 25), DONE, "task")
    ]


def test_a_queued_email_is_planned_and_a_sent_one_done(session):
    partner = make_partner(session)
    _message(session, partner, status="queued", at=datetime(2026, 11, 30, 14, 0, tzinfo=UTC))
    _message(session, partner, status="sent", at=datetime(2026, 11, 3, 14, 0, tzinfo=UTC))
    assert [(i.day, i.state, i.source) for i in _items(session)] == [
        (date(2026, 11, 3), DONE, "email"),
        (date(2026, 11, 30), PLANNED, "email"),
    ]


def test_test_sends_are_not_on_the_calendar(session):
    _message(session, status="sent", kind="test")
    assert _items(session) == []


def test_days_are_the_practices_days_not_utcs(session):
    # 02:00 UTC on Dec 1 is the evening of Nov 30 in Boston.
    _message(
        session, make_partner(session), status="sent", at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    )
    assert [i.day for i in _items(session)] == [date(2026, 11, 30)]


def test_a_touch_logged_by_hand_is_done_on_its_day(session, marketer):
    make_touch(
        session,
        make_partner(session),
        occurred_at=datetime(2026, 11, 10, 16, 0, tzinfo=UTC),
        kind="lunch_and_learn",
        user_id=marketer.id,
    )
    assert [(i.day, i.state, i.source, i.owner_id) for i in _items(session)] == [
        (date(2026, 11, 10), DONE, "touch", marketer.id)
    ]


def test_a_touch_from_an_email_is_counted_once_through_its_email(session):
    partner = make_partner(session)
    message = _message(session, partner, status="sent")
    make_touch(session, partner, kind="email", message_id=message.id)
    assert [i.source for i in _items(session)] == ["email"]


def test_a_cadence_step_not_yet_run_is_projected_as_planned(session):
    partner = make_partner(session, name="Back Bay Family Medicine")
    _enrol(session, partner)
    assert [
        (i.day, i.state, i.source, i.kind, i.partner_name, i.label) for i in _items(session)
    ] == [
        (
            date(2026, 11, 27),
            PLANNED,
            "cadence",
            "email",
            "Back Bay Family Medicine",
            f"Fall nurture {partner.id}: Fall update",
        )
    ]


def test_items_outside_the_range_are_left_out(session, marketer):
    _task(session, marketer, due_on=date(2026, 12, 1))
    assert _items(session) == []


def test_counts_per_day_split_planned_and_done(session, marketer):
    _task(session, marketer, due_on=date(2026, 11, 27))
    _task(session, marketer, due_on=date(2026, 11, 27), kind="call")
    make_touch(
        session, make_partner(session), occurred_at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    )
    count = calendar(session, START, END, NOW, ZONE).per_day()[date(2026, 11, 27)]
    assert (count.planned, count.done) == (2, 1)


def test_counts_per_liaison_follow_the_assignee_and_the_partners_owner(session, marketer, admin):
    _task(session, marketer)
    _message(session, make_partner(session, owner_id=admin.id), status="sent")
    counts = calendar(session, START, END, NOW, ZONE).per_liaison()
    assert {k: (c.planned, c.done) for k, c in counts.items()} == {
        marketer.id: (1, 0),
        admin.id: (0, 1),
    }


def test_the_day_detail_groups_items_and_names_who_is_in_each(session, marketer):
    for name in ("Newton Pediatrics", "Allston Urgent Care"):
        partner = make_partner(session, name=name)
        contact = make_contact(session, partner, first_name="Ana", last_name=name.split()[0])
        _task(
            session,
            marketer,
            partner=partner,
            contact_id=contact.id,
            title="Deliver flu-season flyers",
        )
    groups = day_detail(session, date(2026, 11, 27), NOW, ZONE)
    assert [(g.label, [(m.partner_name, m.person) for m in g.members]) for g in groups] == [
        (
            "Deliver flu-season flyers",
            [("Allston Urgent Care", "Ana Allston"), ("Newton Pediatrics", "Ana Newton")],
        )
    ]


def test_the_calendar_reads_in_a_fixed_number_of_queries(session, marketer, engine):
    for day in range(2, 12):
        partner = make_partner(session)
        _task(session, marketer, partner=partner, due_on=date(2026, 11, day))
        make_touch(session, partner, occurred_at=datetime(2026, 11, day, 15, 0, tzinfo=UTC))
        _message(session, partner, status="sent", at=datetime(2026, 11, day, 15, 0, tzinfo=UTC))
        _enrol(session, partner)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        items = _items(session)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert (
        len(items) == 40 and len(statements) <= 12
    )  # the seasonal sends, the events and the practice's holidays add one each


def test_a_calendar_cannot_end_before_it_starts(session):
    with pytest.raises(ValueError, match="ends before"):
        calendar(session, END, START, NOW, ZONE)


def test_a_month_runs_from_its_first_to_its_last_day():
    assert month_of(date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))


def test_a_quarter_runs_from_its_first_months_first_day_to_its_last_months_last():
    assert quarter_of(date(2026, 11, 25)) == (date(2026, 10, 1), date(2026, 12, 31))


def _event(session, starts_at, status="scheduled", title="ACL return-to-sport lunch"):  # type: ignore[no-untyped-def]
    from crm.models import Event, EventInvitee

    event_row = Event(
        title=title,
        kind="lunch_and_learn",
        starts_at=starts_at,
        ends_at=starts_at,
        status=status,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(event_row)
    session.commit()
    partner = make_partner(session)
    for rsvp in ("yes", "yes", "no"):
        contact = make_contact(session, partner)
        session.add(
            EventInvitee(
                event_id=event_row.id,
                contact_id=contact.id,
                partner_id=partner.id,
                rsvp=rsvp,
                invited_at=NOW,
            )
        )
    session.commit()
    return event_row


def test_events_show_on_their_day_planned_before_and_done_after_with_their_yes_count(session):
    _event(session, datetime(2026, 11, 18, 17, 0, tzinfo=UTC), title="Concussion talk")
    _event(session, datetime(2026, 11, 30, 17, 0, tzinfo=UTC), title="Open house")
    _event(
        session, datetime(2026, 11, 20, 17, 0, tzinfo=UTC), status="cancelled", title="Rained out"
    )
    events = [(i.day, i.state, i.label) for i in _items(session) if i.source == "event"]
    assert events == [
        (date(2026, 11, 18), DONE, "Concussion talk (2 yes)"),
        (date(2026, 11, 30), PLANNED, "Open house (2 yes)"),
    ]


def test_referral_updates_to_partners_show_with_the_other_programs_emails(session):
    _message(session, status="sent", kind="acknowledgment")
    assert [i.source for i in _items(session)] == ["email"]
