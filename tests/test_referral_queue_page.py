"""The Referral queue page: the front desk sees who to call and to book with the overdue
marked, logs each move with one click, and types in phone and fax referrals; a viewer
only reads. Now is Wednesday 25 November 2026, 10:00 in New York."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from crm.models import Patient, Referral
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import (
    make_contact,
    make_location,
    make_partner,
    make_patient,
    make_referral,
    make_user,
)

PAGE = "ui/pages/referral_queue.py"
ZONE = ZoneInfo("America/New_York")


def ny(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="front.desk@practice.test", role=role)
    at = signed_in("front.desk@practice.test").switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def queued(session):  # type: ignore[no-untyped-def]
    partner = make_partner(session, name="Elm Family Medicine")
    contact = make_contact(session, partner, first_name="Dana", last_name="Ortiz")
    late = make_referral(
        session,
        partner,
        ny(11, 23, 9),
        contact_id=contact.id,
        patient_id=make_patient(
            session, first_name="Sam", last_name="Rivera", phone="+16175550199"
        ).id,
    )
    on_time = make_referral(
        session,
        partner,
        ny(11, 24, 9),
        patient_id=make_patient(session, first_name="Ana", last_name="Kim").id,
        channel="web_form",
    )
    return partner, late, on_time


def row_text(at, referral_id: int) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(m.value for m in at.markdown if f"#{referral_id}" in m.value)


def test_the_queue_lists_the_oldest_deadline_first_and_marks_the_overdue(app_database, session):
    _, late, on_time = queued(session)
    at = page_for(session, role="viewer")
    said = texts(at)
    assert "To contact: 2" in said and "2 waiting, **:red[1 overdue]**" in said
    assert said.index(f"#{late.id}") < said.index(f"#{on_time.id}")
    late_row = row_text(at, late.id)
    assert "**Overdue**, due Tue Nov 24" in late_row
    assert "**Sam Rivera** · (617) 555-0199" in late_row
    assert "Referred by Elm Family Medicine, Dana Ortiz" in late_row
    on_time_row = row_text(at, on_time.id)
    assert "Overdue" not in on_time_row and "due Wed Nov 25" in on_time_row
    assert "Web form" in on_time_row


def test_a_viewer_sees_the_queue_without_any_button(app_database, session):
    _, late, _ = queued(session)
    at = page_for(session, role="viewer")
    assert f"#{late.id}" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("queue_")]
    assert "read-only" in texts(at)
    assert not [s for s in at.selectbox if s.key == "desk_partner"]


def test_contacted_moves_the_referral_to_the_scheduling_stage(app_database, session):
    _, late, _ = queued(session)
    at = page_for(session)
    at = at.button(key=f"queue_contacted_{late.id}").click().run()
    assert not at.exception, at.exception
    assert "Sam Rivera: contacted." in texts(at)
    session.expire_all()
    assert session.get(Referral, late.id).status == "contacted"
    said = texts(at)
    assert "To contact: 1" in said and "To schedule: 1" in said
    assert not [b for b in at.button if b.key == f"queue_contacted_{late.id}"]


def test_scheduled_books_the_appointment_and_leaves_the_queue(app_database, session):
    _, late, _ = queued(session)
    at = page_for(session)
    at.date_input(key=f"queue_schedule_day_{late.id}").set_value(datetime(2026, 12, 1).date())
    at.time_input(key=f"queue_schedule_time_{late.id}").set_value(
        datetime(2026, 12, 1, 14, 30).time()
    )
    at = at.button(key=f"queue_schedule_save_{late.id}").click().run()
    assert not at.exception, at.exception
    assert "Sam Rivera: scheduled for Dec 1, 02:30 PM." in texts(at)
    session.expire_all()
    referral = session.get(Referral, late.id)
    assert referral.first_visit_at == ny(12, 1, 14, 30)
    assert referral.scheduled_at is not None
    assert f"#{late.id}" not in texts(at)


def test_lost_needs_a_reason_then_leaves_the_queue(app_database, session):
    _, late, _ = queued(session)
    at = page_for(session)
    at = at.button(key=f"queue_lost_save_{late.id}").click().run()
    assert "Say why the referral was lost." in [e.value for e in at.error]
    session.expire_all()
    assert session.get(Referral, late.id).status == "received"
    at.text_input(key=f"queue_lost_reason_{late.id}").input("chose another practice")
    at = at.button(key=f"queue_lost_save_{late.id}").click().run()
    assert "Sam Rivera: lost (chose another practice)." in texts(at)
    session.expire_all()
    assert session.get(Referral, late.id).lost_reason == "chose another practice"
    assert f"#{late.id}" not in texts(at)


def desk_form(at, partner_id: int, typed: str = "harbor"):  # type: ignore[no-untyped-def]
    at = at.text_input(key="desk_partner_search").input(typed).run()
    at = at.selectbox(key="desk_partner").select(partner_id).run()
    assert not at.exception, at.exception
    prefix = next(t.key for t in at.text_input if t.key and t.key.endswith("_first")).removesuffix(
        "_first"
    )
    return at, prefix


def test_a_phone_referral_typed_at_the_desk_lands_in_the_queue(app_database, session):
    location = make_location(session, name="Back Bay")
    partner = make_partner(session, name="Harbor Physical Therapy")
    contact = make_contact(session, partner, first_name="Lee", last_name="Chen")
    at, form = desk_form(page_for(session), partner.id)
    at.text_input(key=f"{form}_first").input("Jo")
    at.text_input(key=f"{form}_last").input("Park")
    at.text_input(key=f"{form}_phone").input("617-555-0142")
    at.selectbox(key=f"{form}_contact").select(contact.id)
    at.selectbox(key=f"{form}_location").select(location.id)
    at.selectbox(key=f"{form}_service").select("shoulder")
    at.radio(key=f"{form}_channel").set_value("fax")
    at = at.button(key=f"{form}_save").click().run()
    assert not at.exception, at.exception
    (referral,) = session.exec(select(Referral)).all()
    assert (
        f"Referral #{referral.id} from Harbor Physical Therapy (Boston) is in the queue."
        in texts(at)
    )
    assert (referral.channel, referral.service_line, referral.contact_id, referral.location_id) == (
        "fax",
        "shoulder",
        contact.id,
        location.id,
    )
    patient = session.get(Patient, referral.patient_id)
    assert (patient.first_name, patient.last_name, patient.phone) == ("Jo", "Park", "+16175550142")
    row = row_text(at, referral.id)
    assert (
        "**Jo Park** · (617) 555-0142" in row
        and "Referred by Harbor Physical Therapy, Lee Chen" in row
    )
    # the form is empty again for the next call
    assert next(t for t in at.text_input if t.key and t.key.endswith("_first")).value == ""


def test_a_partner_nobody_has_added_is_not_offered(app_database, session):
    make_partner(session, name="Harbor Physical Therapy")
    at = page_for(session)
    at = at.text_input(key="desk_partner_search").input("Willow").run()
    assert "No partner has that in its name" in texts(at)
    assert not [s for s in at.selectbox if s.key == "desk_partner"]


def test_bad_desk_input_is_refused_with_the_reason_and_nothing_written(app_database, session):
    partner = make_partner(session, name="Harbor Physical Therapy")
    at, form = desk_form(page_for(session), partner.id)
    at.text_input(key=f"{form}_first").input("Jo")
    at.text_input(key=f"{form}_last").input("Park")
    at = at.button(key=f"{form}_save").click().run()
    assert "Give the patient's phone or email" in "\n".join(e.value for e in at.error)
    at.text_input(key=f"{form}_phone").input("555")
    at = at.button(key=f"{form}_save").click().run()
    assert "Phone: invalid phone number '555'" in "\n".join(e.value for e in at.error)
    at.text_input(key=f"{form}_phone").input("")
    at.text_input(key=f"{form}_first").input("")
    at.text_input(key=f"{form}_email").input("jo@")
    at = at.button(key=f"{form}_save").click().run()
    errors = "\n".join(e.value for e in at.error)
    assert "First name: is required" in errors and "Email: invalid email" in errors
    assert session.exec(select(Referral)).all() == []
    assert session.exec(select(Patient)).all() == []


def test_a_new_search_offers_its_own_partners(app_database, session):
    make_partner(session, name="Harbor Physical Therapy")
    elm = make_partner(session, name="Elm Family Medicine")
    at, _ = desk_form(page_for(session), elm.id - 1)
    at = at.text_input(key="desk_partner_search").input("elm").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="desk_partner").value == elm.id
