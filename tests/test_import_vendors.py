"""The exports of the systems practices leave, in those systems' own headers: HubSpot's
companies and contacts exports (its default property labels) and Salesforce's accounts
and contacts reports (its standard field labels), and an EHR's referral report, import
with the right fields."""

import csv
import io

import pytest
from sqlmodel import select

from crm.models import Contact, Partner, Referral
from crm.transfer import ImportFileError, import_file
from tests.factories import make_contact, make_partner


def csv_bytes(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def run(session, actor, now, entity: str, data: bytes):
    return import_file(session, actor, entity, data, f"{entity}.csv", now=now)


def test_a_hubspot_companies_export(session, marketer, now):
    data = csv_bytes(
        [
            "Record ID",
            "Company name",
            "Company owner",
            "Create Date",
            "Phone Number",
            "Last Activity Date",
            "City",
            "Country/Region",
            "Industry",
            "Company Domain Name",
            "Street Address",
            "State/Region",
            "Postal Code",
        ],
        [
            "9301",
            "Elm Family Medicine",
            "Dana Whitfield",
            "2026-01-05 10:12",
            "(617) 555-0101",
            "",
            "Boston",
            "United States",
            "Medical Practice",
            "elmfm.example.com",
            "12 Elm St",
            "MA",
            "02118",
        ],
        [
            "9302",
            "Riverside Fitness",
            "",
            "2026-02-01 09:00",
            "617-555-0102",
            "",
            "Cambridge",
            "United States",
            "Health, Wellness and Fitness",
            "riversidefit.example.com",
            "4 River St",
            "Massachusetts",
            "02139",
        ],
    )
    report = run(session, marketer, now, "partners", data)
    assert (report.inserted, report.rejected) == (2, [])
    assert report.not_imported == [
        "Record ID",
        "Company owner",
        "Create Date",
        "Last Activity Date",
        "Country/Region",
    ]
    elm, gym = session.exec(select(Partner).order_by(Partner.name)).all()
    assert (elm.name, elm.partner_type, elm.phone, elm.website) == (
        "Elm Family Medicine",
        "other",
        "+16175550101",
        "https://elmfm.example.com",
    )
    assert (elm.address, elm.city, elm.state, elm.zip) == ("12 Elm St", "Boston", "MA", "02118")
    assert (gym.partner_type, gym.state) == ("gym_wellness", "MA")


def test_a_hubspot_contacts_export(session, marketer, now):
    elm = make_partner(session, name="Elm Family Medicine", address="12 Elm St")
    session.commit()
    data = csv_bytes(
        [
            "Record ID",
            "First Name",
            "Last Name",
            "Email",
            "Phone Number",
            "Job Title",
            "Contact owner",
            "Associated Company",
            "Company Name",
            "Lifecycle Stage",
            "Create Date",
        ],
        [
            "501",
            "Dana",
            "Whitfield",
            "Dana@ElmFM.example.com",
            "617-555-0111",
            "Office Manager",
            "Sam Liaison",
            "Elm Family Medicine",
            "Elm FM",
            "Lead",
            "2026-01-05 10:12",
        ],
    )
    report = run(session, marketer, now, "contacts", data)
    assert (report.inserted, report.rejected) == (1, [])
    assert report.not_imported == [
        "Record ID",
        "Contact owner",
        "Company Name",
        "Lifecycle Stage",
        "Create Date",
    ]
    contact = session.exec(select(Contact)).one()
    assert (contact.partner_id, contact.first_name, contact.last_name) == (
        elm.id,
        "Dana",
        "Whitfield",
    )
    assert (contact.email, contact.phone, contact.role) == (
        "dana@elmfm.example.com",
        "+16175550111",
        "office_manager",
    )


def test_a_salesforce_accounts_report(session, marketer, now):
    data = csv_bytes(
        [
            "Account Name",
            "Type",
            "Billing Street",
            "Billing City",
            "Billing State/Province",
            "Billing Zip/Postal Code",
            "Billing Country",
            "Phone",
            "Fax",
            "Website",
            "Industry",
        ],
        [
            "Oak Sports PT",
            "Physical Therapy",
            "9 Oak Ave",
            "Cambridge",
            "MA",
            "02139-4307",
            "USA",
            "(617) 555-0102",
            "(617) 555-0199",
            "www.oakpt.example.com",
            "Healthcare",
        ],
    )
    report = run(session, marketer, now, "partners", data)
    assert (report.inserted, report.rejected) == (1, [])
    assert report.not_imported == ["Billing Country", "Industry"]
    oak = session.exec(select(Partner)).one()
    assert (oak.name, oak.partner_type, oak.address, oak.city, oak.state, oak.zip) == (
        "Oak Sports PT",
        "physical_therapy",
        "9 Oak Ave",
        "Cambridge",
        "MA",
        "02139-4307",
    )
    assert (oak.phone, oak.fax, oak.website) == (
        "+16175550102",
        "+16175550199",
        "https://www.oakpt.example.com",
    )


def test_a_salesforce_contacts_report(session, marketer, now):
    oak = make_partner(session, name="Oak Sports PT", address="9 Oak Ave")
    session.commit()
    data = csv_bytes(
        ["First Name", "Last Name", "Title", "Email", "Phone", "Account Name", "Mailing City"],
        [
            "Luis",
            "Reyes",
            "Physical Therapist",
            "luis@oakpt.example.com",
            "617-555-0120",
            "Oak Sports PT",
            "Cambridge",
        ],
    )
    report = run(session, marketer, now, "contacts", data)
    assert (report.inserted, report.rejected, report.not_imported) == (1, [], ["Mailing City"])
    contact = session.exec(select(Contact)).one()
    assert (contact.partner_id, contact.first_name, contact.last_name, contact.role) == (
        oak.id,
        "Luis",
        "Reyes",
        "physical_therapist",
    )
    assert (contact.email, contact.phone) == ("luis@oakpt.example.com", "+16175550120")


EHR_HEADER = [
    "Referral ID",
    "Referral Date",
    "Patient Name",
    "Referring Provider",
    "Referring Provider NPI",
    "Appointment Date",
    "Status",
]


def test_an_ehr_referral_report_finds_the_provider_by_npi(session, marketer, now):
    """The report names no practice: the provider's NPI finds the contact and so the
    partner; the status says seen (the appointment was the first visit) or lost; the
    patient's name is left out, never stored."""
    oak = make_partner(session, name="Oak Sports PT")
    provider = make_contact(session, oak, first_name="Luis", last_name="Reyes", npi="1234567893")
    session.commit()
    data = csv_bytes(
        EHR_HEADER,
        ["R-100", "11/02/2026", "Pat Doe", "Reyes, Luis", "1234567893", "11/05/2026", "Scheduled"],
        ["R-101", "11/03/2026", "Sam Roe", "Reyes, Luis", "1234567893", "11/06/2026", "Seen"],
        ["R-102", "11/04/2026", "Kim Poe", "Reyes, Luis", "1234567893", "", "No Show"],
        ["R-103", "11/04/2026", "Lee Moe", "Dr. Who", "1245319599", "", "Scheduled"],
        ["R-104", "11/04/2026", "Ann Zoe", "Reyes, Luis", "1234567893", "", "Teleported"],
    )
    report = import_file(
        session, marketer, "referrals", data, "referrals.csv", now=now, on_error="skip"
    )
    assert report.not_imported == ["Patient Name", "Referring Provider"]
    assert [(r.line, r.reasons[0].split(";")[0]) for r in report.rejected] == [
        (5, "referring_npi: no contact with NPI 1245319599"),
        (6, "status: unknown status 'Teleported'"),
    ]
    stored = session.exec(select(Referral).order_by(Referral.partner_reference)).all()
    assert [(r.partner_reference, r.partner_id, r.contact_id) for r in stored] == [
        ("R-100", oak.id, provider.id),
        ("R-101", oak.id, provider.id),
        ("R-102", oak.id, provider.id),
    ]
    scheduled, seen, lost = stored
    assert (scheduled.status, scheduled.first_visit_at) == ("scheduled", None)
    assert seen.status == "completed" and seen.first_visit_at == seen.scheduled_at
    assert (lost.status, lost.lost_reason) == ("lost", "No Show")
    assert "Doe" not in str([r.model_dump() for r in stored])


def test_a_referral_report_naming_another_practice_than_the_providers_is_rejected(
    session, marketer, now
):
    oak = make_partner(session, name="Oak Sports PT")
    make_partner(session, name="Elm Family Medicine")
    make_contact(session, oak, npi="1234567893")
    session.commit()
    data = csv_bytes(
        ["Referral Date", "Referring Practice", "Referring Provider NPI"],
        ["11/02/2026", "Elm Family Medicine", "1234567893"],
    )
    report = import_file(session, marketer, "referrals", data, "referrals.csv", now=now)
    assert report.rejected[0].reasons == [
        "referring_npi: this provider works at another partner, not this one"
    ]


def test_a_referral_file_needs_a_practice_or_a_provider_npi(session, marketer, now):
    with pytest.raises(ImportFileError, match="missing required column.*partner_name"):
        import_file(
            session,
            marketer,
            "referrals",
            csv_bytes(["Referral Date", "Status"], ["11/02/2026", "Seen"]),
            "referrals.csv",
            now=now,
        )
