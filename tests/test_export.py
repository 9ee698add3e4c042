"""Exports: the columns the import takes, cells safe to open in a spreadsheet, and an
export that imports back with every row unchanged."""

import csv
import io
from datetime import timedelta

import pytest

from crm.models import Visit
from crm.transfer import ENTITIES, export_csv, import_file
from crm.transfer.kinds import kind_of
from tests.factories import (
    make_contact,
    make_location,
    make_partner,
    make_patient,
    make_referral,
    make_user,
)


def exported(session, entity: str) -> str:
    out = io.StringIO()
    export_csv(session, entity, out)
    return out.getvalue()


def practice_with_everything(session, now) -> None:
    owner = make_user(session, email="owner@example.com")
    clinic = make_location(session, name="Back Bay")
    elm = make_partner(
        session,
        name="-Elm, Family & Sports",
        address="12 Elm St, Suite 4",
        owner_id=owner.id,
        phone="+16175550101",
        tags="pcp,sports",
        notes='=HYPERLINK("http://evil.example")\nline two',
    )
    oak = make_partner(
        session,
        name="Oak PT",
        address="9 Oak Ave",
        partner_type="physical_therapy",
        notes="'=already quoted",
        website="https://oak.example.com",
        status="engaged",
    )
    dana = make_contact(
        session,
        elm,
        email="dana@elm.example.com",
        phone="+16175550102",
        email_opt_out=True,
        npi="1234567893",
    )
    make_contact(session, oak, email=None, first_name="Lee", last_name="Kim", role="coach")
    sam = make_patient(
        session, email="sam@mail.example.com", phone="+16175550103", location_id=clinic.id
    )
    ana = make_patient(
        session,
        email=None,
        first_name="Ana",
        last_name="Diaz",
        consent_to_contact=False,
        consent_at=None,
        consent_source="",
    )
    make_referral(
        session,
        elm,
        received_at=now - timedelta(days=3),
        partner_reference="R-1",
        contact_id=dana.id,
        patient_id=sam.id,
        location_id=clinic.id,
        channel="fax",
        contacted_at=now - timedelta(days=2),
        status="contacted",
    )
    make_referral(
        session,
        oak,
        received_at=now - timedelta(days=9),
        status="lost",
        lost_reason="chose another clinic",
    )
    session.add(
        Visit(
            patient_id=sam.id,
            location_id=clinic.id,
            visit_at=now - timedelta(days=2),
            created_at=now,
        )
    )
    session.add(
        Visit(
            patient_id=ana.id,
            location_id=clinic.id,
            visit_at=now - timedelta(days=1),
            completed=False,
            created_at=now,
        )
    )
    session.commit()


def test_an_export_has_exactly_the_columns_the_import_takes(session, now):
    practice_with_everything(session, now)
    for entity in ENTITIES:
        header = next(csv.reader(io.StringIO(exported(session, entity))))
        assert tuple(header) == kind_of(entity).columns.names


def test_export_returns_the_number_of_rows_written(session, now):
    practice_with_everything(session, now)
    counts = {entity: export_csv(session, entity, io.StringIO()) for entity in ENTITIES}
    assert counts == {"partners": 2, "contacts": 2, "referrals": 2, "patients": 2, "visits": 2}


def test_text_a_spreadsheet_would_run_as_a_formula_is_quoted(session, now):
    practice_with_everything(session, now)
    rows = list(csv.DictReader(io.StringIO(exported(session, "partners"))))
    assert rows[0]["name"] == "'-Elm, Family & Sports"
    assert rows[0]["notes"].startswith("'=HYPERLINK(")
    assert rows[0]["phone"] == "'+16175550101"
    assert rows[1]["notes"] == "''=already quoted"


@pytest.mark.parametrize("entity", ENTITIES)
def test_reimporting_an_export_reports_every_row_unchanged(session, marketer, now, entity):
    practice_with_everything(session, now)
    data = exported(session, entity).encode("utf-8-sig")
    report = import_file(session, marketer, entity, data, f"{entity}.csv", now=now)
    assert (report.total_rows, report.inserted, report.updated, report.rejected) == (2, 0, 0, [])
    assert report.unchanged == 2
