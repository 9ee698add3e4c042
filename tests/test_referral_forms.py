"""The referral forms as a liaison downloads them: the practice's own clinics and
settings, and each partner's current link in its QR code."""

from __future__ import annotations

import io

import pypdf
import zxingcpp

from campaigns.materials import forms
from crm import settings as settings_module
from crm.partner_links import link_for, rotate
from crm.segments import SegmentInput, create_segment
from tests.factories import make_location, make_partner


def pages_of(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def qr_text(page: pypdf.PageObject) -> str:
    (image,) = page.images
    return zxingcpp.read_barcodes(image.image)[0].text


def test_a_partners_form_names_our_clinics_and_opens_its_current_link(session, marketer, now):
    settings = settings_module.get().model_copy(
        update={"referral_fax": "+16175550199", "practice_name": "Summit Sports Medicine"}
    )
    make_location(session, name="Quincy Clinic", city="Quincy", phone="+16175550160", fax="")
    partner = make_partner(session, name="Riverside Family Medicine")
    rotate(session, marketer, partner.id, now)
    (page,) = pages_of(forms.partner_form(session, settings, partner.id))
    text = page.extract_text()
    assert "Summit Sports Medicine" in text and "For Riverside Family Medicine" in text
    assert "Quincy Clinic" in text and "Phone (617) 555-0160" in text
    assert "fax to (617) 555-0199" in text
    assert qr_text(page) == link_for(settings, partner)


def test_a_segments_forms_are_its_members_by_name(session, marketer, now):
    settings = settings_module.get()
    for name in ("Zeta PT", "Alpha Ortho", "Mid Chiro"):
        make_partner(session, name=name, tier="A")
    make_partner(session, name="Tier B office", tier="B")
    tier_a = {"conditions": [{"field": "tier", "op": "in", "value": ["A"]}]}
    segment = create_segment(session, marketer, SegmentInput(name="A", definition=tier_a), now)
    pdf, left_out = forms.segment_forms(session, settings, segment.id, now)
    pages = pages_of(pdf)
    assert left_out == 0
    assert [p.extract_text().split("\n")[2] for p in pages] == [
        "For Alpha Ortho",
        "For Mid Chiro",
        "For Zeta PT",
    ]


def test_a_very_large_segment_prints_the_first_forms_and_says_how_many_are_left(
    session, marketer, now, monkeypatch
):
    monkeypatch.setattr(forms, "MAX_SEGMENT_FORMS", 2)
    for n in range(3):
        make_partner(session, name=f"Office {n}", tier="A")
    tier_a = {"conditions": [{"field": "tier", "op": "in", "value": ["A"]}]}
    segment = create_segment(session, marketer, SegmentInput(name="A", definition=tier_a), now)
    pdf, left_out = forms.segment_forms(session, settings_module.get(), segment.id, now)
    assert (len(pages_of(pdf)), left_out) == (2, 1)
