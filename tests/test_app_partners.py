"""The partner directory and a partner's detail, driven through the real app."""

from __future__ import annotations

from sqlmodel import select

from crm.models import Contact, Partner, Touch
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.conftest import NOW
from tests.factories import make_contact, make_partner, make_referral, make_touch, make_user


def names_in_table(at) -> list[str]:  # type: ignore[no-untyped-def]
    return list(at.dataframe[0].value["Name"])


def open_partner(at, partner: Partner):  # type: ignore[no-untyped-def]
    return at.selectbox(key="open_partner").set_value(partner.id).run()


def marketer_app(session):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role="marketer")
    return signed_in("maria@practice.test")


def test_filtering_by_type_narrows_the_table(app_database, session):
    make_partner(session, name="Elm Family Medicine", partner_type="primary_care")
    make_partner(session, name="Elm Street PT", partner_type="physical_therapy")
    at = marketer_app(session)
    at.multiselect(key="f_types").select("physical_therapy").run()
    assert names_in_table(at) == ["Elm Street PT"]
    assert "**1 partner**" in texts(at)


def test_searching_by_text_narrows_the_table(app_database, session):
    make_partner(session, name="Elm Family Medicine")
    make_partner(session, name="Oak Family Medicine")
    make_partner(session, name="Elm Street PT", partner_type="physical_therapy")
    at = marketer_app(session)
    at.text_input(key="f_text").input("elm").run()
    assert names_in_table(at) == ["Elm Family Medicine", "Elm Street PT"]
    assert "**2 partners**" in texts(at)


def test_the_directory_shows_200_rows_a_page_and_the_total(app_database, session):
    session.add_all(
        [
            Partner(
                name=f"Clinic {n:03}",
                partner_type="primary_care",
                match_key=f"clinic {n}|",
                created_at=NOW,
                updated_at=NOW,
            )
            for n in range(205)
        ]
    )
    session.commit()
    at = marketer_app(session)
    assert len(names_in_table(at)) == 200
    assert "Showing 1–200 of 205 partners" in texts(at)
    at.number_input(key="partner_page").set_value(2).run()
    assert names_in_table(at) == [f"Clinic {n:03}" for n in range(200, 205)]


def test_opening_a_partner_shows_its_contacts_and_timeline(app_database, session, now):
    partner = make_partner(session, name="Elm Family Medicine", phone="+16175550100")
    make_contact(session, partner, first_name="Jordan", last_name="Reyes", email="jreyes@elm.test")
    make_touch(session, partner, outcome="Dropped off flyers")
    make_referral(session, partner, service_line="shoulder")
    at = open_partner(marketer_app(session), partner)
    assert at.header[0].value == "Elm Family Medicine"
    assert "(617) 555-0100" in texts(at)
    contacts = at.table[0].value
    assert (
        list(contacts.index) == ["Jordan Reyes"] and contacts["Email"].iloc[0] == "jreyes@elm.test"
    )
    timeline = at.table[1].value
    assert sorted(timeline["What"]) == ["Call", "Referral (Shoulder)"]


def test_a_partner_says_where_it_is_on_the_map(app_database, session):
    placed = make_partner(session, name="Elm Family Medicine", zip="02139")
    at = open_partner(marketer_app(session), placed)
    assert "**On the map:** at its ZIP centre" in texts(at)


def test_times_are_shown_in_the_practice_time_zone(app_database, session, now):
    partner = make_partner(session, name="Elm Family Medicine")
    make_touch(session, partner, occurred_at=now)  # 15:00 UTC is 10:00 in Boston
    at = open_partner(marketer_app(session), partner)
    assert list(at.table[0].value.index) == ["Nov 25, 2026 10:00 AM"]


def test_a_viewer_sees_no_controls_that_change_data(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    make_contact(session, partner)
    make_user(session, email="lee@practice.test", role="viewer")
    at = open_partner(signed_in("lee@practice.test"), partner)
    assert at.header[0].value == "Elm Family Medicine"
    assert [tab.label for tab in at.tabs] == [
        "Contacts (1)",
        "Timeline (0)",
        "Partner link",
        "Opening hours",
    ]
    assert not at.expander and not at.text_area
    assert [b.key for b in at.button] == ["sign_out"]


def test_a_marketer_adds_a_partner_through_the_form_and_it_appears(app_database, session):
    at = marketer_app(session)
    form = at.expander[0]
    form.text_input[0].input("Northside Physical Therapy")
    form.selectbox[0].set_value("physical_therapy")
    zip_box = next(t for t in form.text_input if t.label == "ZIP")
    zip_box.input("2118")
    form.button[0].click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert "Northside Physical Therapy added." in texts(at)
    assert names_in_table(at) == ["Northside Physical Therapy"]
    assert at.header[0].value == "Northside Physical Therapy"
    stored = session.exec(select(Partner)).one()
    assert (stored.partner_type, stored.zip) == ("physical_therapy", "02118")


def test_a_partner_without_a_name_is_refused_with_a_message(app_database, session):
    at = marketer_app(session)
    at.expander[0].button[0].click()
    at.run()
    assert "Name: is required" in at.error[0].value
    assert session.exec(select(Partner)).all() == []


def test_a_contact_with_an_invalid_email_is_refused_and_nothing_is_saved(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    at = open_partner(marketer_app(session), partner)
    fill(at, "add_contact", partner, first="Jordan", email="jordan-at-elm")
    assert "Email: invalid email 'jordan-at-elm'" in at.error[0].value
    assert session.exec(select(Contact)).all() == []


def test_a_marketer_adds_a_contact_who_then_appears_in_the_detail(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    at = open_partner(marketer_app(session), partner)
    fill(at, "add_contact", partner, first="Jordan", email="Jordan@ElmClinic.com")
    assert list(at.table[0].value.index) == ["Jordan"]
    assert session.exec(select(Contact.email)).all() == ["jordan@elmclinic.com"]


def test_a_marketer_logs_a_touch_and_it_appears_in_the_timeline(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    at = open_partner(marketer_app(session), partner)
    key = f"touch_{partner.id}_0"
    at.selectbox(key=f"{key}_kind").set_value("lunch_and_learn")
    at.text_input(key=f"{key}_outcome").input("Met the whole team")
    submit_form(at, "Log touch")
    assert "Lunch-and-learn logged for Elm Family Medicine." in texts(at)
    timeline = at.table[0].value
    assert (
        list(timeline["What"]) == ["Lunch-and-learn"]
        and "Met the whole team" in timeline["Details"].iloc[0]
    )
    touch = session.exec(select(Touch)).one()
    assert touch.user_id is not None and touch.kind == "lunch_and_learn"


def test_archiving_a_partner_takes_it_out_of_the_directory(app_database, session):
    partner = make_partner(session, name="Closing Clinic")
    make_partner(session, name="Elm Family Medicine")
    at = open_partner(marketer_app(session), partner)
    at.button(key=f"archive_{partner.id}").click().run()
    assert "Closing Clinic archived." in texts(at)
    assert names_in_table(at) == ["Elm Family Medicine"]
    session.expire_all()
    assert session.get(Partner, partner.id).archived_at is not None


def fill(at, form: str, partner: Partner, *, first: str, email: str = "") -> None:  # type: ignore[no-untyped-def]
    key = f"{form}_{partner.id}_0"
    at.text_input(key=f"{key}_first").input(first)
    at.text_input(key=f"{key}_email").input(email)
    submit_form(at, "Add contact")


def submit_form(at, label: str) -> None:  # type: ignore[no-untyped-def]
    next(b for b in at.button if b.label == label).click()
    at.run()


def test_partners_that_share_a_name_are_told_apart_by_city_in_the_picker(app_database, session):
    make_partner(session, name="Beacon Sports Chiropractic", city="Brockton")
    make_partner(session, name="Beacon Sports Chiropractic", city="Norwood")
    make_partner(session, name="Elm Family Medicine", city="Boston")
    at = marketer_app(session)
    assert at.selectbox(key="open_partner").options == [
        "Beacon Sports Chiropractic (Brockton)",
        "Beacon Sports Chiropractic (Norwood)",
        "Elm Family Medicine",
    ]
