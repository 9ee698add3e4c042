"""Importing contacts: each row finds its partner by name and address and is matched
on email, so a re-import updates instead of duplicating."""

import csv
import io

from sqlmodel import select

from crm.models import Contact
from crm.transfer import import_file
from tests.factories import make_contact, make_partner

HEADER = [
    "Practice",
    "Practice Address",
    "First Name",
    "Last Name",
    "Title",
    "E-mail",
    "Phone Number",
]


def csv_bytes(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def run(session, actor, now, *rows: list[str], **options):
    return import_file(
        session, actor, "contacts", csv_bytes(HEADER, *rows), "contacts.csv", now=now, **options
    )


def contacts(session) -> list[Contact]:
    return list(session.exec(select(Contact).order_by(Contact.id)))


def test_a_contact_joins_the_partner_named_by_name_and_address(session, marketer, now):
    elm = make_partner(session, name="Elm Family Medicine", address="12 Elm Street")
    make_partner(session, name="Elm Family Medicine", address="400 Harbor Road")
    report = run(
        session,
        marketer,
        now,
        [
            "elm family medicine",
            "12 Elm St.",
            "Dana",
            "Ruiz",
            "MD",
            "Dana.Ruiz@Elm.example.com",
            "617-555-0101",
        ],
    )
    assert report.inserted == 1
    contact = contacts(session)[0]
    assert (contact.partner_id, contact.role, contact.email, contact.phone) == (
        elm.id,
        "physician",
        "dana.ruiz@elm.example.com",
        "+16175550101",
    )


def test_a_partner_named_without_an_address_is_found_when_its_name_is_unique(
    session, marketer, now
):
    oak = make_partner(session, name="Oak Sports PT", address="9 Oak Ave")
    report = run(session, marketer, now, ["Oak Sports PT", "", "Lee", "", "", "", ""])
    assert report.inserted == 1
    assert contacts(session)[0].partner_id == oak.id


def test_an_unknown_partner_rejects_the_row_with_a_clear_reason(session, marketer, now):
    report = run(session, marketer, now, ["Nowhere Clinic", "1 Main St", "Lee", "", "", "", ""])
    assert report.rejected[0].reasons == [
        "partner_name: no partner named 'Nowhere Clinic' at '1 Main St'; import the partner first"
    ]
    assert contacts(session) == []


def test_a_contact_with_the_same_email_in_another_case_is_updated_not_duplicated(
    session, marketer, now
):
    elm = make_partner(session, name="Elm", address="1 Main St")
    existing = make_contact(
        session,
        elm,
        first_name="Dana",
        last_name="Ruiz",
        role="physician",
        email="dana@elm.example.com",
    )
    report = run(
        session,
        marketer,
        now,
        ["Elm", "1 Main St", "Dana", "Ruiz", "office manager", "DANA@ELM.EXAMPLE.COM", ""],
    )
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
    assert [(c.id, c.role) for c in contacts(session)] == [(existing.id, "office_manager")]


def test_a_bad_email_and_a_missing_first_name_are_both_reported(session, marketer, now):
    make_partner(session, name="Elm", address="1 Main St")
    report = run(session, marketer, now, ["Elm", "1 Main St", "", "Ruiz", "", "dana@", ""])
    reasons = report.rejected[0].reasons
    assert [r.split(":")[0] for r in reasons] == ["first_name", "email"]
    assert "invalid email 'dana@'" in reasons[1]


def test_a_contact_without_email_is_matched_by_name_at_the_same_partner(session, marketer, now):
    make_partner(session, name="Elm", address="1 Main St")
    row = ["Elm", "1 Main St", "Dana", "Ruiz", "coach", "", "617-555-0101"]
    run(session, marketer, now, row)
    report = run(session, marketer, now, [*row[:6], "617-555-0102"])
    assert (report.inserted, report.updated) == (0, 1)
    assert [c.phone for c in contacts(session)] == ["+16175550102"]
