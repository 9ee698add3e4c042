"""The printed referral form a liaison leaves at a partner's front desk: one page per
partner with the practice's clinics, what to send and how, the online form's fields as
blanks to fill by hand, and a QR code to the partner's own link (where the same form
takes a minute and the office can follow its patients).

Drawn with fpdf2's built-in Helvetica, so the file needs no font on the server; text
outside Latin-1 is reduced to its closest Latin-1 spelling (a PDF that fails to build
over one curly quote would leave the liaison with nothing to print)."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

import qrcode
from fpdf import FPDF

from crm.vocab import ServiceLine

FORM_FIELDS = (
    "Referring provider or contact",
    "Patient first name",
    "Patient last name",
    "Patient phone",
    "Patient email",
    "Your reference",
)
_PLAIN = str.maketrans(  # what NFKD does not take apart
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
    | {"\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0152": "OE", "\u0153": "oe"}
)
ROOMY_CLINICS = 5  # up to this many get two lines each
MAX_CLINICS = 12  # one line each beyond that, and a count of the rest
_INK = (20, 40, 55)
_ACCENT = (11, 110, 138)  # the emails' accent colour
_RULE = (170, 180, 190)


@dataclass(frozen=True)
class Clinic:
    name: str
    address: str  # one line: street, city, state and ZIP as known
    phone: str
    fax: str


@dataclass(frozen=True)
class Letterhead:
    practice_name: str
    clinics: list[Clinic]
    clinical_documents: str  # how clinical documents reach us: a fax number or secure channel


@dataclass(frozen=True)
class FormPage:
    partner_name: str
    link: str  # the partner's own link, encoded in the QR code


def referral_forms(letterhead: Letterhead, pages: list[FormPage]) -> bytes:
    """One PDF with a page per partner (a segment's forms print in one go for a
    materials drop-off)."""
    pdf = FPDF(format="letter", unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_title(_latin(f"{letterhead.practice_name}: patient referral form"))
    pdf.set_author(_latin(letterhead.practice_name))
    for page in pages:
        _page(pdf, letterhead, page)
    return bytes(pdf.output())


def qr_png(link: str) -> bytes:
    image = qrcode.make(link, border=2, box_size=8)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _page(pdf: FPDF, head: Letterhead, page: FormPage) -> None:
    pdf.add_page()
    margin, width = 48.0, pdf.w - 96.0
    pdf.set_text_color(*_ACCENT)
    _fitted(pdf, _latin(head.practice_name), width - 140, "B", 20)
    pdf.set_xy(margin, 44)
    pdf.cell(width - 140, 24, _latin(head.practice_name))
    pdf.set_text_color(*_INK)
    pdf.set_font("Helvetica", "", 13)
    pdf.set_xy(margin, 72)
    pdf.cell(width - 130, 18, "Patient referral form")
    pdf.set_font("Helvetica", "", 10)
    pdf.set_xy(margin, 92)
    pdf.multi_cell(width - 140, 13, _latin(f"For {page.partner_name}"))

    pdf.image(io.BytesIO(qr_png(page.link)), x=pdf.w - margin - 118, y=40, w=118, h=118)
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_xy(margin, 120)
    pdf.multi_cell(
        width - 140,
        13,
        "Faster online: scan the code to send a patient through your office's own link. "
        "You get our referral number at once and can follow each referral's progress.",
    )
    pdf.set_font("Helvetica", "", 8)
    pdf.set_xy(margin, 162)
    pdf.multi_cell(width, 10, _latin(page.link))

    y = _heading(pdf, margin, 190, width, "Our clinics")
    y = (_clinic_lines if len(head.clinics) > ROOMY_CLINICS else _clinic_rows)(
        pdf, margin, y, width, head.clinics
    )

    y = _heading(pdf, margin, y + 6, width, "What to send")
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_xy(margin, y)
    pdf.multi_cell(
        width,
        13,
        _latin(
            "The patient's name and a phone number or email, the clinic and service the "
            "patient prefers, how soon they should be seen, and your own reference. Please "
            "tell the patient we will call. No diagnosis or clinical notes on this form: "
            f"please send clinical documents by {head.clinical_documents}, with our referral number."
        ),
    )
    y = pdf.get_y() + 8

    y = _heading(pdf, margin, y, width, "Referral")
    for label in FORM_FIELDS:
        y = _blank(pdf, margin, y, width, label)
    if len(head.clinics) > ROOMY_CLINICS:
        y = _blank(pdf, margin, y, width, "Preferred clinic")
    else:
        y = _choices(pdf, margin, y, width, "Preferred clinic", [c.name for c in head.clinics])
    y = _choices(pdf, margin, y, width, "Service", [s.label for s in ServiceLine])
    y = _choices(pdf, margin, y, width, "Urgency", ["Routine", "Soon"])
    y = _choices(pdf, margin, y + 4, width, "", ["The patient agreed to be contacted by us"])
    for label in ("Signature", "Date"):
        y = _blank(pdf, margin, y + 4, width, label)


def _clinic_rows(pdf: FPDF, x: float, y: float, width: float, clinics: list[Clinic]) -> float:
    for clinic in clinics:
        pdf.set_xy(x, y)
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.cell(150, 13, _latin(clinic.name))
        pdf.set_font("Helvetica", "", 9.5)
        pdf.cell(width - 150, 13, _latin(clinic.address))
        pdf.set_xy(x + 150, y + 13)
        pdf.cell(width - 150, 13, _latin(_phones(clinic)))
        y += 30
    return y


def _clinic_lines(pdf: FPDF, x: float, y: float, width: float, clinics: list[Clinic]) -> float:
    """Many clinics, one line each, so the form stays on one page."""
    pdf.set_font("Helvetica", "", 7.5)
    shown = clinics[:MAX_CLINICS]
    for clinic in shown:
        pdf.set_xy(x, y)
        line = " - ".join(p for p in (clinic.name, clinic.address, _phones(clinic)) if p)
        pdf.cell(width, 10, _latin(line))
        y += 10
    if len(clinics) > len(shown):
        pdf.set_xy(x, y)
        pdf.cell(width, 10, f"and {len(clinics) - len(shown)} more clinics: ask us or see the link")
        y += 10
    return y + 4


def _heading(pdf: FPDF, x: float, y: float, width: float, text: str) -> float:
    pdf.set_text_color(*_ACCENT)
    pdf.set_font("Helvetica", "B", 11)
    pdf.set_xy(x, y)
    pdf.cell(width, 16, text)
    pdf.set_draw_color(*_ACCENT)
    pdf.line(x, y + 17, x + width, y + 17)
    pdf.set_text_color(*_INK)
    return y + 24


def _blank(pdf: FPDF, x: float, y: float, width: float, label: str) -> float:
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_xy(x, y)
    pdf.cell(170, 18, label)
    pdf.set_draw_color(*_RULE)
    pdf.line(x + 170, y + 15, x + width, y + 15)
    return y + 22


def _choices(pdf: FPDF, x: float, y: float, width: float, label: str, options: list[str]) -> float:
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_xy(x, y)
    if label:
        pdf.cell(170, 16, label)
    left = x + (170 if label else 0)
    cursor = left
    pdf.set_draw_color(*_INK)
    for option in options:
        text = _latin(option)
        needed = 14 + pdf.get_string_width(text) + 14
        if cursor + needed > x + width and cursor > left:
            cursor, y = left, y + 16
        pdf.rect(cursor, y + 4, 8, 8)
        pdf.set_xy(cursor + 12, y)
        pdf.cell(needed - 12, 16, text)
        cursor += needed
    return y + 22


def _fitted(pdf: FPDF, text: str, width: float, style: str, size: float) -> None:
    """The largest font size up to `size` (and at least 9) at which the text fits."""
    pdf.set_font("Helvetica", style, size)
    while size > 9 and pdf.get_string_width(text) > width:
        size -= 1
        pdf.set_font("Helvetica", style, size)


def _phones(clinic: Clinic) -> str:
    parts = [
        f"Phone {clinic.phone}" if clinic.phone else "",
        f"Fax {clinic.fax}" if clinic.fax else "",
    ]
    return "   ".join(p for p in parts if p)


def _latin(text: str) -> str:
    text = text.translate(_PLAIN)
    return "".join(_latin_char(c) for c in text)


def _latin_char(char: str) -> str:
    if ord(char) < 256:
        return char
    base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
    return base or "?"
