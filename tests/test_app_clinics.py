"""The Clinics page: the practice's locations with the phone and fax its printed
referral forms show."""

from __future__ import annotations

from sqlmodel import select

from crm.models import AuditLog, Location
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_location, make_user

PAGE = "ui/pages/clinics.py"


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role=role)
    return signed_in("maria@practice.test").switch_page(PAGE).run()


def fill(at, **values: str) -> None:  # type: ignore[no-untyped-def]
    form = at.get("form")[0]
    for label, value in values.items():
        next(t for t in form.text_input if t.label == label).input(value)
    form.button[0].click()
    at.run()


def test_a_marketer_adds_a_clinic_with_its_phone_and_fax(app_database, session):
    at = page_for(session)
    fill(at, Name="Quincy Clinic", City="Quincy", Phone="617-555-0160", Fax="(617) 555 0161")
    assert "Quincy Clinic added." in texts(at)
    clinic = session.exec(select(Location)).one()
    assert (clinic.name, clinic.phone, clinic.fax) == (
        "Quincy Clinic",
        "+16175550160",
        "+16175550161",
    )
    assert session.exec(select(AuditLog.entity)).all() == ["location"]
    assert list(at.dataframe[0].value["Fax"]) == ["(617) 555-0161"]


def test_a_bad_fax_number_is_refused_and_nothing_is_saved(app_database, session):
    at = page_for(session)
    fill(at, Name="Quincy Clinic", Fax="fax me")
    assert at.error and "fax" in at.error[0].value.lower()
    assert session.exec(select(Location)).all() == []


def test_a_clinic_is_changed_in_place(app_database, session):
    clinic = make_location(session, name="Woburn Clinic")
    at = page_for(session)
    at.selectbox(key="clinic_pick").set_value(clinic.id).run()
    fill(at, Phone="781-555-0170")
    assert "Woburn Clinic saved." in texts(at)
    session.refresh(clinic)
    assert clinic.phone == "+17815550170"


def test_two_clinics_cannot_share_a_name(app_database, session):
    make_location(session, name="Woburn Clinic")
    at = page_for(session)
    fill(at, Name="Woburn Clinic")
    assert at.error[0].value == "There is already a clinic named 'Woburn Clinic'."


def test_a_viewer_reads_the_clinics_but_cannot_change_them(app_database, session):
    make_location(session, name="Woburn Clinic")
    at = page_for(session, role="viewer")
    assert list(at.dataframe[0].value["Clinic"]) == ["Woburn Clinic"]
    assert not at.get("form")
