"""The import page: a dry-run preview first, then a commit; exports for everyone."""

from __future__ import annotations

import io

from openpyxl import Workbook
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
    rejected = at.dataframe[-1].value
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
    assert not at.exception
    assert at.error[0].value.startswith("This file cannot be imported:")
    assert not at.metric
    assert "import_preview" not in [button.key for button in at.button]


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


MONTHLY = b"Practice,Kind,Fax Line,Notes,Referral Volume\nElm Family Medicine,pcp,617 555 0100,call Fridays,12\n"
NEXT_MONTH = b"practice,KIND,Fax line,Notes,Referral Volume\nOak Street PT,pt,617 555 0200,new,3\n"


def column(at, header: str):  # type: ignore[no-untyped-def]
    return next(box for box in at.selectbox if box.label == header)


def upload(at, name: str, data: bytes):  # type: ignore[no-untyped-def]
    at.radio(key="import_on_error").set_value("skip")
    at.file_uploader(key="import_file").set_value((name, data, "text/csv"))
    return at.run()


def test_each_column_is_shown_with_its_field_and_the_first_rows_under_them(app_database, session):
    at = upload(import_page(session), "partners.csv", MONTHLY)
    assert not at.exception
    assert [
        (box.label, box.value)
        for box in at.selectbox
        if box.label not in ("What the file holds", "Text encoding")
    ] == [
        ("Practice", "name"),
        ("Kind", "partner_type"),
        ("Fax Line", "don't import"),
        ("Notes", "notes"),
        ("Referral Volume", "don't import"),
    ]
    sample = at.dataframe[0].value
    assert list(sample.columns) == ["name", "partner_type", "notes"]
    assert sample.iloc[0].tolist() == ["Elm Family Medicine", "primary_care", "call Fridays"]


def test_the_first_rows_show_values_as_they_will_be_stored(app_database, session):
    at = upload(import_page(session), "partners.csv", MONTHLY)
    column(at, "Fax Line").set_value("fax")
    at.run()
    sample = at.dataframe[0].value
    assert sample.iloc[0]["fax"] == "+16175550100"
    assert "would be refused" not in sample.columns


def test_a_first_row_that_would_be_refused_says_why(app_database, session):
    bad = b"Practice,Kind,Fax Line\nElm Family Medicine,spaceship,617 555 0100\n"
    at = upload(import_page(session), "partners.csv", bad)
    sample = at.dataframe[0].value
    assert sample.iloc[0]["partner_type"] == "spaceship"
    assert "partner_type" in sample.iloc[0]["would be refused"]
    assert session.exec(select(Partner)).all() == []


def test_a_column_mapped_and_another_dropped_import_so_and_the_next_file_maps_itself(
    app_database, session
):
    at = upload(import_page(session), "partners.csv", MONTHLY)
    column(at, "Fax Line").set_value("fax").run()
    column(at, "Notes").set_value("don't import").run()
    assert list(at.dataframe[0].value.columns) == ["name", "partner_type", "fax"]
    at.button(key="import_preview").click().run()
    assert "Not imported (these columns go to no field): Notes, Referral Volume" in [
        info.value for info in at.info
    ]
    at.button(key="import_commit").click().run()
    assert "Imported partners: 1 new, 0 updated, 0 unchanged, 0 skipped." in texts(at)
    elm = session.exec(select(Partner)).one()
    assert (elm.fax, elm.notes) == ("+16175550100", "")

    at = upload(at, "partners-december.csv", NEXT_MONTH)
    assert "Columns mapped as for the last file with these headers." in [
        s.value for s in at.success
    ]
    assert (column(at, "Fax line").value, column(at, "Notes").value) == ("fax", "don't import")
    at.button(key="import_preview").click().run()
    at.button(key="import_commit").click().run()
    oak = session.exec(select(Partner).where(Partner.name == "Oak Street PT")).one()
    assert (oak.fax, oak.notes) == ("+16175550200", "")


def test_a_new_layout_is_not_said_to_be_remembered(app_database, session):
    at = upload(import_page(session), "partners.csv", MONTHLY)
    assert not [s.value for s in at.success if "mapped as for the last file" in s.value]


WINDOWS = "Practice,Kind\r\nCafé Norte,pcp\r\n".encode("cp1252")
MAC = "Practice,Kind\r\nCafé Norte,pcp\r\n".encode("mac-roman")  # é is Ž in cp1252


def test_the_detected_encoding_is_preselected(app_database, session):
    at = upload(import_page(session), "partners.csv", WINDOWS)
    assert not at.exception
    assert column(at, "Text encoding").value == "cp1252"
    assert at.dataframe[0].value.iloc[0].tolist() == ["Café Norte", "primary_care"]


def test_choosing_another_encoding_reads_the_file_in_it(app_database, session):
    at = upload(import_page(session), "partners.csv", MAC)
    assert at.dataframe[0].value.iloc[0].tolist() == ["CafŽ Norte", "primary_care"]
    column(at, "Text encoding").set_value("mac-roman").run()
    assert at.dataframe[0].value.iloc[0].tolist() == ["Café Norte", "primary_care"]
    at.button(key="import_preview").click().run()
    at.button(key="import_commit").click().run()
    assert session.exec(select(Partner.name)).all() == ["Café Norte"]


def test_a_workbook_asks_for_no_encoding(app_database, session):
    book = Workbook()
    book.active.append(["Practice", "Kind"])
    book.active.append(["Elm", "pcp"])
    out = io.BytesIO()
    book.save(out)
    at = import_page(session)
    at.file_uploader(key="import_file").set_value(("partners.xlsx", out.getvalue(), "x"))
    at.run()
    assert not at.exception
    assert "Text encoding" not in [box.label for box in at.selectbox]
