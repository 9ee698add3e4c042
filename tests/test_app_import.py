"""The import page: a dry-run preview first, then a commit; exports for everyone."""

from __future__ import annotations

from sqlmodel import select

from crm.models import Partner
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_user

CSV = (
    b"name,partner_type,zip\n"
    b"Elm Family Medicine,primary care,02118\n"
    b"Oak Street PT,physical therapy,not-a-zip\n"
    b"Harbor Urgent Care,urgent care,02110\n"
)


def import_page(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role=role)
    at = signed_in("maria@practice.test")
    return at.switch_page("ui/pages/import_data.py").run()


def preview(at, on_error: str = "skip"):  # type: ignore[no-untyped-def]
    at.radio(key="import_on_error").set_value(on_error)
    at.file_uploader(key="import_file").set_value(("partners.csv", CSV, "text/csv"))
    at.run()
    return at.button(key="import_preview").click().run()


def test_the_preview_lists_the_rejected_row_and_writes_nothing(app_database, session):
    at = preview(import_page(session))
    assert not at.exception
    assert [m.value for m in at.metric] == ["2", "0", "0", "1"]
    rejected = at.dataframe[0].value
    assert list(rejected["Line"]) == [3] and "zip" in rejected["Problems"].iloc[0].lower()
    assert session.exec(select(Partner)).all() == []


def test_committing_after_the_preview_imports_the_good_rows(app_database, session):
    at = preview(import_page(session))
    at.button(key="import_commit").click().run()
    assert "Imported partners: 2 new, 0 updated, 0 unchanged, 1 skipped." in texts(at)
    assert sorted(session.exec(select(Partner.name)).all()) == [
        "Elm Family Medicine",
        "Harbor Urgent Care",
    ]


def test_with_abort_a_file_with_a_bad_row_cannot_be_committed(app_database, session):
    at = preview(import_page(session), on_error="abort")
    assert at.button(key="import_commit").disabled
    assert "Nothing will be imported while rows have problems" in at.warning[0].value


def test_a_file_that_is_not_a_table_is_explained(app_database, session):
    at = import_page(session)
    at.file_uploader(key="import_file").set_value(
        ("partners.csv", b"\x00\x01\x02garbage", "text/csv")
    )
    at.run()
    at.button(key="import_preview").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("This file cannot be imported:")
    assert not at.metric


def test_a_viewer_gets_exports_but_no_import_controls(app_database, session):
    at = import_page(session, role="viewer")
    assert at.title[0].value == "Export"
    assert not at.file_uploader and not at.radio
    assert [b.label for b in at.get("download_button")] == [
        "Partners",
        "Contacts",
        "Referrals",
        "Patients",
        "Visits",
    ]


def test_the_preview_names_the_columns_it_will_not_import(app_database, session):
    at = import_page(session)
    at.file_uploader(key="import_file").set_value(
        ("partners.csv", b"name,partner_type,Referral Volume\nElm,pcp,12\n", "text/csv")
    )
    at.run()
    at.button(key="import_preview").click().run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["1", "0", "0", "0"]
    assert "Not imported (these columns go to no field): Referral Volume" in at.info[0].value
