"""Messy files as people really send them: Excel's encodings and workbooks, quoted
cells, odd headers, blank rows, and files that cannot be imported at all."""

import io

import pytest
from openpyxl import Workbook
from sqlmodel import select

from crm.models import Partner
from crm.transfer import ImportFileError, guess_encoding, import_file


def run(session, actor, now, data: bytes, filename: str = "partners.csv", **options):
    return import_file(session, actor, "partners", data, filename, now=now, **options)


def names(session) -> list[str]:
    return list(session.exec(select(Partner.name).order_by(Partner.name)))


def workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_utf8_file_with_a_byte_order_mark_reads_its_first_header(session, marketer, now):
    data = "\ufeffName,Type\r\nCafé Wellness,gym\r\n".encode()
    report = run(session, marketer, now, data)
    assert report.inserted == 1
    assert names(session) == ["Café Wellness"]


def test_a_windows_1252_file_from_excel_is_read(session, marketer, now):
    data = "Name,Type\r\nSão Paulo Clínica – Norte,pcp\r\n".encode("cp1252")
    run(session, marketer, now, data)
    assert names(session) == ["São Paulo Clínica – Norte"]


def test_a_utf16_file_saved_as_excel_unicode_text_is_read(session, marketer, now):
    data = "Name\tType\tCity\r\nSão Paulo Clínica\tpcp\tBoston\r\n".encode("utf-16")
    run(session, marketer, now, data, filename="partners.txt")
    assert names(session) == ["São Paulo Clínica"]


def test_a_utf16_file_without_a_byte_order_mark_is_read(session, marketer, now):
    data = "Name,Type\r\nClínica Norte,pcp\r\n".encode("utf-16-le")
    run(session, marketer, now, data)
    assert names(session) == ["Clínica Norte"]


@pytest.mark.parametrize(
    ("data", "guess"),
    [
        ("\ufeffName,Type\r\nCafé,gym\r\n".encode(), "utf-8-sig"),
        ("Name,Type\r\nCafé,gym\r\n".encode(), "utf-8-sig"),
        (b"Name,Type\r\nElm,pcp\r\n", "utf-8-sig"),
        ("Name,Type\r\nCafé – Norte,gym\r\n".encode("cp1252"), "cp1252"),
        ("Name\tType\r\nCafé,gym\r\n".encode("utf-16"), "utf-16"),
        ("Name,Type\r\nCafé,gym\r\n".encode("utf-16-le"), "utf-16-le"),
        ("Name,Type\r\nCafé,gym\r\n".encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_the_encoding_is_guessed_from_the_start_of_the_file(data, guess):
    assert guess_encoding(data, "partners.csv") == guess


def test_a_workbook_has_no_encoding_to_guess():
    assert guess_encoding(workbook(["Name", "Type"]), "partners.xlsx") is None


def test_the_encoding_named_by_the_person_wins_over_the_guess(session, marketer, now):
    data = "Name,Type\r\nCafé Norte,gym\r\n".encode("mac-roman")  # é is 0x8e, Ž in cp1252
    run(session, marketer, now, data, encoding="mac-roman")
    assert names(session) == ["Café Norte"]


def test_an_unknown_encoding_makes_the_file_unusable(session, marketer, now):
    with pytest.raises(ImportFileError, match="unknown encoding 'klingon'"):
        run(session, marketer, now, b"Name,Type\r\nElm,pcp\r\n", encoding="klingon")


def test_a_row_that_cannot_be_read_in_the_files_encoding_is_rejected_with_its_line(
    session, marketer, now
):
    data = "Name,Type\r\nCafé,gym\r\n".encode("cp1252") + b"Bad \x81 row,pcp\r\nOak,pt\r\n"
    report = run(session, marketer, now, data, encoding="cp1252", on_error="skip")
    assert [(r.line, r.reasons) for r in report.rejected] == [
        (
            3,
            [
                "row: line 3 has characters that cannot be read as Windows-1252 (Excel CSV "
                "on Windows) (save the file as CSV UTF-8, or choose the encoding it was "
                "saved in)"
            ],
        )
    ]
    assert names(session) == ["Café", "Oak"]


def test_a_broken_character_in_a_utf16_file_rejects_only_its_row(session, marketer, now):
    lone_surrogate = b"\x00\xd8"
    data = (
        "Name,Type\r\nCafé,gym\r\nBad ".encode("utf-16")
        + lone_surrogate
        + " row,pcp\r\nOak,pt\r\n".encode("utf-16-le")
    )
    report = run(session, marketer, now, data, on_error="skip")
    assert [r.line for r in report.rejected] == [3]
    assert "cannot be read as UTF-16" in report.rejected[0].reasons[0]
    assert names(session) == ["Café", "Oak"]


def test_quoted_commas_and_newlines_stay_in_their_cell_and_push_later_line_numbers(
    session, marketer, now
):
    data = (
        b"Name,Type,Notes\n"
        b'"Smith, Jones & Co",pcp,"Ask for Dana,\nthen the office manager"\n'
        b"Bad Row,nonsense,\n"
    )
    report = run(session, marketer, now, data, on_error="skip")
    assert report.inserted == 1
    assert report.rejected[0].line == 4
    partner = session.exec(select(Partner)).one()
    assert (partner.name, partner.notes) == (
        "Smith, Jones & Co",
        "Ask for Dana,\nthen the office manager",
    )


def test_headers_match_in_any_case_and_by_common_aliases(session, marketer, now):
    data = b"ORGANIZATION,partner TYPE,Street Address,postal code,Fax Number,Web Site\n"
    run(session, marketer, now, data + b"Elm,pcp,1 Main St,2118,617 555 0100,elm.example.com\n")
    partner = session.exec(select(Partner)).one()
    assert (partner.name, partner.zip, partner.fax, partner.website) == (
        "Elm",
        "02118",
        "+16175550100",
        "https://elm.example.com",
    )


UNKNOWN = b"Practice Name,Type,Referral Volume,E-Fax\nElm,pcp,12,617 555 0100\n"


def test_an_unknown_column_is_left_out_and_named_in_the_report(session, marketer, now):
    report = run(session, marketer, now, UNKNOWN)
    assert (report.inserted, report.not_imported) == (1, ["Referral Volume", "E-Fax"])
    assert session.exec(select(Partner)).one().fax == ""


def test_strict_columns_refuse_a_file_with_an_unknown_column(session, marketer, now):
    with pytest.raises(ImportFileError, match="unknown column 'Referral Volume'"):
        run(session, marketer, now, UNKNOWN, strict_columns=True)
    assert names(session) == []


def test_a_column_can_be_mapped_or_dropped_by_its_header(session, marketer, now):
    report = run(
        session,
        marketer,
        now,
        UNKNOWN,
        columns={"e-fax": "fax", "Referral Volume": ""},
        strict_columns=True,
    )
    assert report.not_imported == ["Referral Volume"]
    assert session.exec(select(Partner)).one().fax == "+16175550100"


def test_a_mapping_overrides_the_automatic_match(session, marketer, now):
    data = b"Practice Name,Type,Notes,Comments\nElm,pcp,,call on Fridays\n"
    with pytest.raises(ImportFileError, match="'Notes' and 'Comments' both mean notes"):
        run(session, marketer, now, data)
    run(session, marketer, now, data, columns={"Notes": ""})
    assert session.exec(select(Partner)).one().notes == "call on Fridays"


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"Fax Line": "fax"}, "cannot map 'Fax Line': the file has no such column"),
        ({"E-Fax": "favourite colour"}, "cannot map 'E-Fax' to 'favourite colour': no such field"),
        ({"Practice Name": ""}, "missing required column"),
    ],
)
def test_a_mapping_that_cannot_apply_makes_the_file_unusable(
    session, marketer, now, columns, message
):
    with pytest.raises(ImportFileError, match=message):
        run(session, marketer, now, UNKNOWN, columns=columns)


def test_blank_rows_are_ignored_and_not_counted(session, marketer, now):
    data = b"Name,Type\n\nElm,pcp\n,\n  ,  \nOak,pt\n\n"
    report = run(session, marketer, now, data)
    assert (report.total_rows, report.inserted) == (2, 2)


def test_a_semicolon_separated_file_is_read(session, marketer, now):
    run(session, marketer, now, b"Name;Type;City\nElm, Inc;pcp;Boston\n")
    assert names(session) == ["Elm, Inc"]


def test_the_first_sheet_of_a_workbook_is_imported_with_sheet_row_numbers(session, marketer, now):
    data = workbook(
        ["Practice Name", "Type", "Zip Code", "Phone Number"],
        ["Elm", "pcp", 2118, 6175550100],
        [None, None, None, None],
        ["Oak", "rocket science", "02139", None],
    )
    report = run(session, marketer, now, data, filename="partners.xlsx", on_error="skip")
    assert (report.inserted, [r.line for r in report.rejected]) == (1, [4])
    partner = session.exec(select(Partner)).one()
    assert (partner.zip, partner.phone) == ("02118", "+16175550100")


def test_a_missing_required_column_makes_the_file_unusable(session, marketer, now):
    with pytest.raises(ImportFileError, match="missing required column.*partner_type"):
        run(session, marketer, now, b"Name,City\nElm,Boston\n")


def test_two_columns_meaning_the_same_field_make_the_file_unusable(session, marketer, now):
    with pytest.raises(ImportFileError, match="'Zip' and 'Postal Code' both mean zip"):
        run(session, marketer, now, b"Name,Type,Zip,Postal Code\nElm,pcp,02118,02118\n")


def test_an_empty_file_is_unusable(session, marketer, now):
    with pytest.raises(ImportFileError, match="empty"):
        run(session, marketer, now, b"\n\n")


def test_a_binary_or_old_excel_file_is_unusable(session, marketer, now):
    with pytest.raises(ImportFileError, match="xls"):
        run(session, marketer, now, b"\xd0\xcf\x11\xe0" + bytes(200), filename="partners.xls")
    with pytest.raises(ImportFileError, match="workbook"):
        run(session, marketer, now, b"PK\x03\x04 not really a zip", filename="partners.xlsx")


def test_a_row_with_more_cells_than_columns_is_rejected(session, marketer, now):
    report = run(session, marketer, now, b"Name,Type\nElm,pcp,surprise\n")
    assert report.rejected[0].reasons == ["row: 3 cells but only 2 columns"]
