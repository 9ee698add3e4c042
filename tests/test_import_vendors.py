"""The exports of the systems practices leave, in those systems' own headers: HubSpot's
companies and contacts exports (its default property labels) and Salesforce's accounts
and contacts reports (its standard field labels) import with the right fields."""

import csv
import io

from sqlmodel import select

from crm.models import Contact, Partner
from crm.transfer import import_file
from tests.factories import make_partner


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
