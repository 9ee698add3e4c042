"""The Events page: creating an event, its counts, the invitation preview's
compensation warning, check-in, and the compliance report."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from campaigns.events.attendance import check_in
from campaigns.events.service import invite, record_rsvp
from crm.models import Event, Touch
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.event_helpers import invitees, make_event
from tests.factories import make_contact, make_location, make_partner, make_user

PAGE = "ui/pages/events.py"


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role=role)
    return signed_in("maria@practice.test").switch_page(PAGE).run()


def _button(at, label):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def _past_dinner(session, actor, now, cost, *contacts):  # type: ignore[no-untyped-def]
    event = make_event(
        session,
        actor,
        starts_at=datetime(2026, 3, 4, 23, tzinfo=UTC),
        cost_per_attendee_cents=cost,
        title="Spring dinner",
    )
    invite(session, actor, event.id, now, contact_ids=[c.id for c in contacts])
    rows = invitees(session, event.id)
    check_in(session, actor, event.id, [rows[c.id].id for c in contacts], now)
    session.commit()
    return event


def test_a_marketer_creates_an_event(app_database, session):
    make_location(session, name="Main Street Clinic", timezone="America/Chicago")
    at = page_for(session)
    next(t for t in at.text_input if t.label == "Title").input("Ankle sprains in-service")
    next(s for s in at.selectbox if s.label == "Kind").set_value("in_service")
    next(n for n in at.number_input if n.label == "Capacity (0 = no limit)").set_value(12)
    at = _button(at, "Create event").click().run()
    assert not at.exception, at.exception
    event = session.exec(select(Event)).one()
    assert (event.title, event.kind, event.capacity, event.timezone) == (
        "Ankle sprains in-service",
        "in_service",
        12,
        "America/Chicago",
    )


def test_the_event_shows_its_answers(app_database, session, now):
    owner = make_user(session)
    event = make_event(session, owner, capacity=1)
    partner = make_partner(session)
    people = [make_contact(session, partner) for _ in range(3)]
    invite(session, owner, event.id, now, contact_ids=[p.id for p in people])
    rows = invitees(session, event.id)
    record_rsvp(session, rows[people[0].id].id, "yes", now)
    record_rsvp(session, rows[people[1].id].id, "yes", now)
    session.commit()
    at = page_for(session, role="viewer")
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Invited"], metrics["Yes"], metrics["Wait list"], metrics["No answer"]) == (
        "3",
        "1",
        "1",
        "1",
    )


def test_the_invitation_preview_warns_about_a_physician_near_the_limit(app_database, session, now):
    owner = make_user(session)
    partner = make_partner(session, name="Riverside Family Medicine")
    doctor = make_contact(session, partner, first_name="Ana", last_name="Ames", role="physician")
    _past_dinner(session, owner, now, 52_000, doctor)
    make_event(session, owner, title="Winter CME evening", cost_per_attendee_cents=3_000)
    at = page_for(session)
    winter = _id(session, "Winter CME evening")
    at.selectbox(key="event_pick").set_value(winter).run()
    at.multiselect(key=f"event_invite_partners_{winter}").set_value([partner.id]).run()
    warnings = [w.value for w in at.warning]
    assert any("Ana Ames" in w and "$550.00" in w and "$535.00" in w for w in warnings), warnings


def test_checking_in_on_the_page_logs_the_attendance_touch(app_database, session, now):
    owner = make_user(session)
    event = make_event(session, owner)
    partner = make_partner(session)
    contact = make_contact(session, partner, first_name="Jo", last_name="Park")
    invite(session, owner, event.id, now, contact_ids=[contact.id])
    session.commit()
    at = page_for(session)
    at.selectbox(key="event_pick").set_value(event.id).run()
    invitee_id = invitees(session, event.id)[contact.id].id
    at.multiselect(key=f"event_check_in_{event.id}").set_value([invitee_id]).run()
    at.button(key=f"event_check_in_button_{event.id}").click().run()
    assert not at.exception, at.exception
    session.expire_all()
    assert [(t.contact_id, t.kind) for t in session.exec(select(Touch))] == [
        (contact.id, "event_attendance")
    ]


def test_the_compensation_report_lists_each_physicians_year_to_date_total(
    app_database, session, now
):
    owner = make_user(session)
    partner = make_partner(session, name="Riverside Family Medicine")
    doctor = make_contact(session, partner, first_name="Ana", last_name="Ames", role="physician")
    _past_dinner(session, owner, now, 12_550, doctor)
    at = page_for(session, role="viewer")
    report = at.dataframe[-1].value
    assert list(zip(report["Physician"], report["Year to date"])) == [("Ana Ames", "$125.50")]


def test_a_viewer_gets_no_invite_or_check_in_controls(app_database, session):
    owner = make_user(session)
    event = make_event(session, owner)
    at = page_for(session, role="viewer")
    assert "New event" not in at.selectbox(key="event_pick").options
    assert not [
        b
        for b in at.button
        if b.key in (f"event_invite_{event.id}", f"event_check_in_button_{event.id}")
    ]


def _id(session, title):  # type: ignore[no-untyped-def]
    return next(e.id for e in session.exec(select(Event)) if e.title == title)


def test_inviting_from_the_page_queues_the_invitations(app_database, session):
    owner = make_user(session)
    event = make_event(session, owner)
    partner = make_partner(session)
    make_contact(session, partner)
    make_contact(session, partner)
    at = page_for(session)
    at.selectbox(key="event_pick").set_value(event.id).run()
    at.multiselect(key=f"event_invite_partners_{event.id}").set_value([partner.id]).run()
    at = at.button(key=f"event_invite_{event.id}").click().run()
    assert not at.exception, at.exception
    assert "2 invitations queued." in texts(at)


def test_changing_an_event_on_the_page_raises_its_sequence_and_tells_the_invitees(
    app_database, session, now
):
    owner = make_user(session)
    event = make_event(session, owner)
    invite(
        session, owner, event.id, now, contact_ids=[make_contact(session, make_partner(session)).id]
    )
    session.commit()
    at = page_for(session)
    at.selectbox(key="event_pick").set_value(event.id).run()
    next(t for t in at.text_input if t.label == "Title").input("Ankle sprains, moved")
    at = _button(at, "Save and tell everyone invited").click().run()
    assert not at.exception, at.exception
    assert "1 update with the new calendar entry queued" in texts(at)
    session.expire_all()
    changed = session.get(Event, event.id)
    assert (changed.title, changed.sequence) == ("Ankle sprains, moved", 1)


def test_cancelling_on_the_page_tells_the_invitees(app_database, session, now):
    owner = make_user(session)
    event = make_event(session, owner)
    invite(
        session, owner, event.id, now, contact_ids=[make_contact(session, make_partner(session)).id]
    )
    session.commit()
    at = page_for(session)
    at.selectbox(key="event_pick").set_value(event.id).run()
    at = at.button(key=f"event_cancel_{event.id}").click().run()
    assert "Cancelled; 1 cancellation queued." in texts(at)


def test_people_picked_one_by_one_are_invited(app_database, session):
    owner = make_user(session)
    event = make_event(session, owner)
    partner = make_partner(session)
    chosen = make_contact(session, partner)
    make_contact(session, partner)
    at = page_for(session)
    at.selectbox(key="event_pick").set_value(event.id).run()
    at.multiselect(key=f"event_invite_contacts_{event.id}").set_value([chosen.id]).run()
    at = at.button(key=f"event_invite_{event.id}").click().run()
    assert "1 invitation queued." in texts(at)
    assert list(invitees(session, event.id)) == [chosen.id]


def test_a_sign_in_sheet_uploaded_on_the_page_checks_people_in(app_database, session, now):
    owner = make_user(session)
    event = make_event(session, owner)
    contact = make_contact(session, make_partner(session))
    invite(session, owner, event.id, now, contact_ids=[contact.id])
    session.commit()
    at = page_for(session)
    at.selectbox(key="event_pick").set_value(event.id).run()
    sheet = f"Name,Email\nPat,{contact.email}\nWalk-in,stranger@x.org\n".encode()
    at.file_uploader(key=f"event_sheet_{event.id}").set_value(
        ("sheet.csv", sheet, "text/csv")
    ).run()
    at = at.button(key=f"event_sheet_button_{event.id}").click().run()
    assert "1 checked in; 0 were already." in texts(at)
    assert "Not on file: line 3: stranger@x.org" in texts(at)
