"""Importing visits: the patient by email (or name and phone), the clinic by name, the
visit's date; nothing clinical, and the same file twice makes no second visit."""

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from crm.models import Visit
from crm.transfer import ImportFileError, export_csv, import_file
from tests.factories import make_location, make_patient

HEADER = ["Patient E-mail", "First Name", "Last Name", "Phone", "Clinic", "Visit Date", "Completed"]


def csv_bytes(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def run(session, actor, now, *rows, header=HEADER, **options):  # type: ignore[no-untyped-def]
    return import_file(
        session, actor, "visits", csv_bytes(header, *rows), "visits.csv", now=now, **options
    )


def visits(session) -> list[Visit]:  # type: ignore[no-untyped-def]
    return list(session.exec(select(Visit).order_by(Visit.id)))


def test_a_visit_is_stored_for_the_patient_with_that_email_at_the_named_clinic(
    session, marketer, now
):
    clinic = make_location(session, name="Back Bay")
    patient = make_patient(session, email="sam@mail.example.com")
    report = run(
        session,
        marketer,
        now,
        ["SAM@mail.example.com", "", "", "", "back bay", "2026-11-20 09:30", "yes"],
    )
    assert report.inserted == 1
    visit = visits(session)[0]
    assert (visit.patient_id, visit.location_id, visit.visit_at, visit.completed) == (
        patient.id,
        clinic.id,
        datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        True,
    )


def test_a_patient_without_email_is_found_by_name_and_phone(session, marketer, now):
    make_location(session, name="Back Bay")
    patient = make_patient(
        session, first_name="Sam", last_name="Rivera", email=None, phone="+16175550101"
    )
    run(
        session,
        marketer,
        now,
        ["", "sam", "RIVERA", "(617) 555-0101", "Back Bay", "2026-11-20", "yes"],
    )
    assert [v.patient_id for v in visits(session)] == [patient.id]


def test_an_unknown_patient_is_rejected_with_its_reason(session, marketer, now):
    make_location(session, name="Back Bay")
    report = run(
        session,
        marketer,
        now,
        ["nobody@mail.example.com", "", "", "", "Back Bay", "2026-11-20", "yes"],
    )
    assert report.rejected[0].reasons == [
        "patient_email: no patient with email 'nobody@mail.example.com'; import the patient first"
    ]


def test_an_unknown_clinic_is_rejected(session, marketer, now):
    make_patient(session, email="sam@mail.example.com")
    report = run(
        session, marketer, now, ["sam@mail.example.com", "", "", "", "Nowhere", "2026-11-20", "yes"]
    )
    assert report.rejected[0].reasons[0].startswith("location: no clinic named 'Nowhere'")


def test_a_row_naming_no_patient_is_rejected(session, marketer, now):
    make_location(session, name="Back Bay")
    report = run(session, marketer, now, ["", "", "", "", "Back Bay", "2026-11-20", "yes"])
    assert report.rejected[0].reasons == [
        "patient_email: required, or the patient's first name, last name and phone"
    ]


def test_the_same_file_twice_makes_one_visit(session, marketer, now):
    make_location(session, name="Back Bay")
    make_patient(session, email="sam@mail.example.com")
    row = ["sam@mail.example.com", "", "", "", "Back Bay", "2026-11-20 09:30", "yes"]
    run(session, marketer, now, row)
    report = run(session, marketer, now, row)
    assert (report.inserted, report.unchanged, len(visits(session))) == (0, 1, 1)


def test_a_visit_not_completed_is_stored_as_such(session, marketer, now):
    make_location(session, name="Back Bay")
    make_patient(session, email="sam@mail.example.com")
    run(
        session, marketer, now, ["sam@mail.example.com", "", "", "", "Back Bay", "2026-11-20", "no"]
    )
    assert visits(session)[0].completed is False


def test_a_clinical_column_is_left_out_and_named_in_the_report(session, marketer, now):
    """There is no field for a visit reason or service: the column is never stored, and
    the report says so rather than refusing the whole file."""
    make_location(session, name="Back Bay")
    make_patient(session, email="sam@mail.example.com")
    report = run(
        session,
        marketer,
        now,
        ["sam@mail.example.com", "Back Bay", "2026-11-20", "knee"],
        header=["Patient E-mail", "Clinic", "Visit Date", "Visit Reason"],
    )
    assert (report.inserted, report.not_imported) == (1, ["Visit Reason"])
    assert "knee" not in {str(value) for value in visits(session)[0].model_dump().values()}
    with pytest.raises(ImportFileError, match="unknown column 'Visit Reason'"):
        run(
            session,
            marketer,
            now,
            ["sam@mail.example.com", "Back Bay", "2026-11-20", "knee"],
            header=["Patient E-mail", "Clinic", "Visit Date", "Visit Reason"],
            strict_columns=True,
        )


def test_an_export_imports_back_unchanged(session, marketer, now):
    make_location(session, name="Back Bay")
    make_patient(session, email="sam@mail.example.com")
    run(
        session,
        marketer,
        now,
        ["sam@mail.example.com", "", "", "", "Back Bay", "2026-11-20 09:30", "yes"],
    )
    out = io.StringIO()
    export_csv(session, "visits", out)
    report = import_file(
        session, marketer, "visits", out.getvalue().encode(), "visits.csv", now=now
    )
    assert (report.unchanged, report.inserted, report.rejected) == (1, 0, [])
