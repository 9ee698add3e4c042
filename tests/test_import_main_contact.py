"""A partner row's main contact: the Email, Contact, Title ... columns of a partner list
become that partner's contact, checked like the contact form, in the same import."""

import io

import pytest
from sqlmodel import select

from crm.contacts import ContactInput, create_contact
from crm.models import Contact, Partner
from crm.transfer import export_csv, import_file
from tests.factories import make_partner


def run(session, actor, now, data: bytes, **options):
    return import_file(session, actor, "partners", data, "partners.csv", now=now, **options)


def contacts(session) -> list[tuple[str, str, str, str | None, str, str]]:
    query = select(Partner.name, Contact.first_name, Contact.last_name, Contact.email).join(
        Partner, Partner.id == Contact.partner_id
    )
    rows = session.exec(query.add_columns(Contact.phone, Contact.role).order_by(Contact.id))
    return [tuple(row) for row in rows]


def test_the_contact_columns_create_the_partners_main_contact(session, marketer, now):
    data = (
        b"Practice Name,Type,Contact Name,Title,Contact Email,Contact Phone\n"
        b"Elm Family Medicine,pcp,Dana Whitfield,Office Manager,Dana@Elm.example.com,"
        b"617-555-0101\n"
        b'Oak Sports PT,pt,"Reyes, Luis",PT,,\n'
    )
    report = run(session, marketer, now, data)
    assert (report.inserted, report.contacts_inserted, report.not_imported) == (2, 2, [])
    assert contacts(session) == [
        (
            "Elm Family Medicine",
            "Dana",
            "Whitfield",
            "dana@elm.example.com",
            "+16175550101",
            "office_manager",
        ),
        ("Oak Sports PT", "Luis", "Reyes", None, "", "physical_therapist"),
    ]


def test_an_office_email_alone_becomes_a_contact_named_after_the_practice(session, marketer, now):
    run(
        session,
        marketer,
        now,
        b"Practice Name,Type,Email\nElm Family Medicine,pcp,info@elm.example.com\n",
    )
    assert contacts(session) == [
        ("Elm Family Medicine", "Elm Family Medicine", "", "info@elm.example.com", "", "other")
    ]


def test_the_contact_is_matched_by_email_then_by_name_and_updated(session, marketer, now):
    elm = make_partner(session, name="Elm Family Medicine", address="")
    create_contact(
        session,
        marketer,
        elm.id,
        ContactInput(first_name="Dana", last_name="Whitfield", email="dana@elm.example.com"),
        now,
    )
    create_contact(
        session, marketer, elm.id, ContactInput(first_name="Sam", last_name="Ortiz"), now
    )
    session.commit()
    data = (
        b"Practice Name,Type,Contact,Email,Role\n"
        b"Elm Family Medicine,pcp,Dana W,DANA@elm.example.com,manager\n"
        b"Elm Family Medicine,pcp,Sam Ortiz,sam@elm.example.com,\n"
    )
    report = run(session, marketer, now, data)
    assert (report.contacts_inserted, report.contacts_updated) == (0, 2)
    assert contacts(session) == [
        ("Elm Family Medicine", "Dana", "W", "dana@elm.example.com", "", "office_manager"),
        ("Elm Family Medicine", "Sam", "Ortiz", "sam@elm.example.com", "", "other"),
    ]
    again = run(session, marketer, now, data)
    assert (again.unchanged, again.contacts_inserted, again.contacts_updated) == (2, 0, 0)
    assert len(contacts(session)) == 2


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (b"Dana,not-an-email,", "contact_email: "),
        (b"Dana,,astronaut", "contact_role: unknown value 'astronaut'"),
    ],
)
def test_a_bad_contact_value_rejects_the_row_with_the_reason(session, marketer, now, cells, reason):
    data = (
        b"Practice Name,Type,Contact,Email,Title\nElm,pcp,"
        + cells
        + b"\nOak,pt,Lee,lee@oak.example.com,\n"
    )
    report = run(session, marketer, now, data, on_error="skip")
    assert [r.line for r in report.rejected] == [2]
    assert report.rejected[0].reasons[0].startswith(reason)
    assert [row[0] for row in contacts(session)] == ["Oak"]
    assert sorted(session.exec(select(Partner.name))) == ["Oak"]


def test_with_abort_or_a_dry_run_no_contact_is_written(session, marketer, now):
    data = b"Practice Name,Type,Email,Zip\nElm,pcp,info@elm.example.com,02118\nOak,pt,x@oak.example.com,nope\n"
    aborted = run(session, marketer, now, data)
    dry = run(session, marketer, now, data, on_error="skip", dry_run=True)
    assert (aborted.contacts_inserted, dry.contacts_inserted) == (1, 1)
    assert contacts(session) == [] and session.exec(select(Partner)).all() == []


def test_an_export_still_has_only_the_partner_columns_and_imports_back(session, marketer, now):
    run(session, marketer, now, b"Practice Name,Type,Email\nElm,pcp,info@elm.example.com\n")
    out = io.StringIO()
    export_csv(session, "partners", out)
    assert "contact" not in out.getvalue().splitlines()[0]
    report = run(session, marketer, now, out.getvalue().encode())
    assert (report.unchanged, report.contacts_inserted) == (1, 0)


def test_a_too_long_contact_name_is_explained_in_plain_words(session, marketer, now):
    data = b"Practice Name,Type,Contact First Name\nElm,pcp," + b"D" * 81 + b"\n"
    report = run(session, marketer, now, data, on_error="skip")
    assert report.rejected[0].reasons == [
        "contact_first_name: longer than 80 characters (it has 81)"
    ]


def test_an_office_email_next_to_a_contact_email_is_left_out(session, marketer, now):
    data = (
        b"Practice Name,Type,Email,Contact Name,Contact Email\n"
        b"Elm,pcp,info@elm.example.com,Dana Whitfield,dana@elm.example.com\n"
    )
    report = run(session, marketer, now, data)
    assert (report.contacts_inserted, report.not_imported) == (1, ["Email"])
    assert contacts(session) == [("Elm", "Dana", "Whitfield", "dana@elm.example.com", "", "other")]
