"""The printed referral form: one page per partner, read back as a person (the text)
and as a phone (the QR code) would."""

from __future__ import annotations

import io

import pypdf
import pytest
import zxingcpp

from campaigns.materials.referral_form import Clinic, FormPage, Letterhead, referral_forms

HEAD = Letterhead(
    practice_name="Summit Sports Medicine",
    clinics=[
        Clinic("Downtown", "1 Main St, Boston, MA 02110", "(617) 555-0100", "(617) 555-0101"),
        Clinic("Newton", "5 Elm St, Newton, MA 02458", "(617) 555-0200", ""),
    ],
    clinical_documents="fax (617) 555-0101 or Direct secure messaging",
)
RIVERSIDE = FormPage("Riverside Family Medicine", "https://clinic.example.com/p/riverside.token")


def pages_of(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def qr_text(page: pypdf.PageObject) -> str:
    (image,) = page.images
    (code,) = zxingcpp.read_barcodes(image.image)
    return code.text


def test_the_page_shows_the_practice_its_clinics_and_what_to_send() -> None:
    (page,) = pages_of(referral_forms(HEAD, [RIVERSIDE]))
    text = page.extract_text()
    for expected in (
        "Summit Sports Medicine",
        "For Riverside Family Medicine",
        "Downtown",
        "Phone (617) 555-0100",
        "Fax (617) 555-0101",
        "Newton",
        "Direct secure messaging",
        "No diagnosis or clinical notes",
    ):
        assert expected in text


def test_the_page_carries_the_online_forms_fields_as_blanks() -> None:
    text = pages_of(referral_forms(HEAD, [RIVERSIDE]))[0].extract_text()
    for field in (
        "Patient first name",
        "Patient last name",
        "Patient phone",
        "Patient email",
        "Your reference",
        "Preferred clinic",
        "Foot & ankle",
        "Routine",
        "Soon",
        "agreed to be contacted",
    ):
        assert field in text


def test_the_qr_code_opens_the_partners_own_link() -> None:
    (page,) = pages_of(referral_forms(HEAD, [RIVERSIDE]))
    assert qr_text(page) == RIVERSIDE.link
    assert RIVERSIDE.link in page.extract_text()


def test_a_segments_forms_are_one_pdf_with_a_page_per_partner() -> None:
    partners = [FormPage(f"Partner {n}", f"https://clinic.example.com/p/{n}") for n in range(3)]
    pages = pages_of(referral_forms(HEAD, partners))
    assert [qr_text(p) for p in pages] == [p.link for p in partners]
    assert [p.extract_text().count("For Partner") for p in pages] == [1, 1, 1]


@pytest.mark.parametrize("clinics", [6, 30])
def test_many_clinics_still_fit_one_page_per_partner(clinics: int) -> None:
    head = Letterhead(
        "Summit Sports Medicine",
        [Clinic(f"Clinic {n}", "100 Commonwealth Ave, Boston, MA", "", "") for n in range(clinics)],
        "fax",
    )
    pages = pages_of(referral_forms(head, [RIVERSIDE, RIVERSIDE]))
    assert len(pages) == 2
    assert "Clinic 5" in pages[0].extract_text()


def test_names_outside_latin1_print_in_their_closest_spelling() -> None:
    page = FormPage("Clínica “Zürich” — Łódź Ωmega", "https://clinic.example.com/p/x")
    (printed,) = pages_of(referral_forms(HEAD, [page]))
    assert 'Clínica "Zürich" - Lódz ?mega' in printed.extract_text()
