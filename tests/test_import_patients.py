"""Importing patients: matched on email, else on name and phone; consent needs a
source; the clinic is named."""

import csv
import io

from sqlmodel import select

from crm.models import Patient
from crm.transfer import import_file
from tests.factories import make_location, make_patient

HEADER = [
    "First Name",
    "Last Name",
    "E-mail",
    "Phone Number",
    "Consent",
    "Consent Source",
    "Clinic",
]


def csv_bytes(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def run(session, actor, now, *rows: list[str], **options):
    return import_file(
        session, actor, "patients", csv_bytes(HEADER, *rows), "patients.csv", now=now, **options
    )


def patients(session) -> list[Patient]:
    return list(session.exec(select(Patient).order_by(Patient.id)))


def test_a_consenting_patient_is_stored_with_the_clinic_and_the_time_of_consent(
    session, marketer, now
):
    clinic = make_location(session, name="Back Bay")
    report = run(
        session,
        marketer,
        now,
        ["Sam", "Rivera", "Sam@Mail.example.com", "617-555-0101", "yes", "intake form", "Back Bay"],
    )
    assert report.inserted == 1
    patient = patients(session)[0]
    assert (patient.email, patient.phone, patient.location_id, patient.consent_at) == (
        "sam@mail.example.com",
        "+16175550101",
        clinic.id,
        now,
    )


def test_a_patient_with_a_known_email_is_updated(session, marketer, now):
    existing = make_patient(
        session, first_name="Sam", last_name="Rivera", email="sam@mail.example.com", phone=""
    )
    report = run(
        session,
        marketer,
        now,
        ["Sam", "Rivera", "SAM@mail.example.com", "617-555-0101", "", "", ""],
    )
    assert (report.inserted, report.updated) == (0, 1)
    assert [(p.id, p.phone) for p in patients(session)] == [(existing.id, "+16175550101")]


def test_a_patient_without_email_is_matched_on_name_and_phone(session, marketer, now):
    existing = make_patient(
        session, first_name="Sam", last_name="Rivera", email=None, phone="+16175550101"
    )
    report = run(
        session,
        marketer,
        now,
        ["sam", "RIVERA", "", "(617) 555-0101", "", "", ""],
        ["Sam", "Rivera", "", "(617) 555-0199", "no", "", ""],
    )
    assert (report.inserted, report.unchanged, report.updated) == (1, 0, 1)
    assert [p.id for p in patients(session)][0] == existing.id and len(patients(session)) == 2


def test_consent_without_its_source_is_rejected(session, marketer, now):
    report = run(
        session, marketer, now, ["Sam", "Rivera", "sam@mail.example.com", "", "yes", "", ""]
    )
    assert report.rejected[0].reasons == [
        "row: consent to contact needs its source (for instance 'intake form')"
    ]
    assert patients(session) == []
