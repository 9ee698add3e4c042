"""GET and POST /p/{token} in a real HTTP server, as a partner's browser uses them."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from campaigns.reviews.links import make_token as review_token
from crm import settings as settings_module
from crm.models import AuditLog, Contact, Message, Partner, Patient, Referral
from crm.partner_links import link_for, make_token, rotate
from tests.apptest import app_database  # noqa: F401
from tests.factories import make_contact, make_location, make_partner, make_referral
from tests.public_site import serving
from ui.public import limits
from ui.public.limits import RateLimit
from ui.routes import public_routes

KEY = "test-secret-key"  # what app_database puts in LIAISON_SECRET_KEY


@dataclass
class Answer:
    status: int
    body: str


def call(url: str, data: dict[str, str] | bytes | None = None) -> Answer:
    body = urlencode(data).encode() if isinstance(data, dict) else data
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if body is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode())


def form_key(page: str) -> str:
    return re.search(r'name="form" value="([^"]+)"', page).group(1)


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "per_client", RateLimit(limits.PER_CLIENT, limits.WINDOW))
    monkeypatch.setattr(limits, "per_link", RateLimit(limits.PER_LINK, limits.WINDOW))


@pytest.fixture
def site(app_database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(public_routes()) as address:
        yield f"http://{address}"


@dataclass
class Setup:
    url: str
    partner_id: int
    contact_id: int
    contact_email: str
    location_id: int

    def form(self, page: str, **fields: str) -> dict[str, str]:
        return {
            "form": form_key(page),
            "contact": str(self.contact_id),
            "first_name": "Zebulon",
            "last_name": "Quartz",
            "phone": "617-555-0142",
            "email": "zq@mail.example.org",
            "location": str(self.location_id),
            "service_line": "concussion",
            "urgency": "routine",
            "partner_reference": "PCP-77",
            "consent": "yes",
            "website": "",
            **fields,
        }


@pytest.fixture
def partner(site, session) -> Setup:  # type: ignore[no-untyped-def]
    partner = make_partner(session)
    contact = make_contact(session, partner)
    location = make_location(session, name="Back Bay")
    link = link_for(settings_module.get(), partner).rsplit("/p/", 1)[1]
    return Setup(f"{site}/p/{link}", partner.id, contact.id, contact.email, location.id)


def written(session: Session) -> tuple[int, ...]:
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(table))
        for table in (Referral, Patient, Contact, AuditLog, Message)
    )


def test_the_route_is_among_the_public_routes():
    assert "/p/{token}" in [getattr(route, "path", "") for route in public_routes()]


def test_a_partner_sends_a_patient_and_gets_our_number(partner, session):
    page = call(partner.url)
    assert (
        page.status == 200 and "Send a patient" in page.body and "No clinical details" in page.body
    )
    answer = call(partner.url, partner.form(page.body))
    assert answer.status == 200, answer.body
    referral = session.exec(select(Referral)).one()
    assert f"Our referral number is <strong>{referral.id}</strong>" in answer.body
    assert (referral.channel, referral.status, referral.partner_reference) == (
        "web_form",
        "received",
        "PCP-77",
    )
    assert (referral.service_line, referral.location_id) == ("concussion", partner.location_id)
    patient = session.get(Patient, referral.patient_id)
    assert (patient.first_name, patient.phone, patient.consent_to_contact) == (
        "Zebulon",
        "+16175550142",
        True,
    )
    assert session.exec(select(AuditLog).where(AuditLog.action == "web referral")).one()


def test_the_acknowledgment_is_queued_and_names_no_patient_or_service(partner, session):
    page = call(partner.url)
    call(partner.url, partner.form(page.body))
    message = session.exec(select(Message)).one()
    assert (message.template, message.to_email) == (
        "referral_acknowledgment",
        partner.contact_email,
    )
    assert "PCP-77" in message.text
    for said in (message.subject, message.text, message.html):
        for secret in ("Zebulon", "Quartz", "Concussion", "concussion", "555-0142", "zq@"):
            assert secret not in said


def test_a_double_submit_makes_one_referral(partner, session):
    page = call(partner.url)
    form = partner.form(page.body)
    first, again = call(partner.url, form), call(partner.url, form)
    referral = session.exec(select(Referral)).one()
    assert f"<strong>{referral.id}</strong>" in first.body
    assert f"<strong>{referral.id}</strong>" in again.body
    assert len(session.exec(select(Message)).all()) == 1


@pytest.mark.parametrize("kind", ["tampered", "foreign", "rotated", "forged"])
def test_tokens_not_the_partners_current_link_get_404_and_write_nothing(
    kind, partner, session, marketer, now
):
    page = call(partner.url)
    form = partner.form(page.body)
    base, token = partner.url.rsplit("/p/", 1)
    if kind == "tampered":
        token = make_token(KEY, partner.partner_id + 1, 1).split(".")[0] + "." + token.split(".")[1]
    elif kind == "foreign":
        token = review_token(KEY, "l", partner.partner_id)
    elif kind == "forged":
        token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    else:
        rotate(session, marketer, partner.partner_id, now)
        session.commit()
    before = written(session)
    url = f"{base}/p/{token}"
    shown, sent = call(url), call(url, form)
    assert (shown.status, sent.status) == (404, 404)
    assert "not valid any more" in sent.body and "Zebulon" not in sent.body
    assert written(session) == before


def test_after_rotating_only_the_new_link_opens_the_page(partner, session, marketer, now):
    rotate(session, marketer, partner.partner_id, now)
    session.commit()
    fresh = link_for(settings_module.get(), session.get(Partner, partner.partner_id))
    base = partner.url.rsplit("/p/", 1)[0]
    assert call(partner.url).status == 404
    assert call(f"{base}/p/{fresh.rsplit('/p/', 1)[1]}").status == 200


def test_forms_past_the_links_limit_get_429_and_write_nothing(partner, session, monkeypatch):
    monkeypatch.setattr(limits, "per_link", RateLimit(2, limits.WINDOW))
    page = call(partner.url).body
    for reference in ("A-1", "A-2"):
        assert call(partner.url, partner.form(page, partner_reference=reference)).status == 200
    before = written(session)
    refused = call(partner.url, partner.form(page, partner_reference="A-3"))
    assert refused.status == 429 and "Please wait a few minutes" in refused.body
    assert written(session) == before


def test_requests_past_the_clients_limit_get_429(partner, monkeypatch):
    monkeypatch.setattr(limits, "per_client", RateLimit(3, limits.WINDOW))
    assert [call(partner.url).status for _ in range(4)] == [200, 200, 200, 429]


def test_a_filled_honeypot_looks_like_success_and_writes_nothing(partner, session):
    page = call(partner.url)
    before = written(session)
    answer = call(partner.url, partner.form(page.body, website="http://spam.example"))
    assert answer.status == 200 and "we received the referral" in answer.body
    assert written(session) == before


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("first_name", "", "required"),
        ("last_name", "", "required"),
        ("email", "not-an-email", "invalid email"),
        ("phone", "12", "invalid phone number"),
        ("location", "999999", "choose one of our clinics"),
        ("location", "", "choose one of our clinics"),
        ("partner_reference", "x" * 10_240, "too long"),
        ("first_name", "x" * 10_240, "too long"),
        ("consent", "", "agree to be contacted"),
        ("service_line", "diagnosis: torn ACL", "choose one of the listed services"),
    ],
)
def test_each_bad_input_is_refused_beside_its_field_and_nothing_is_written(
    field, value, reason, partner, session
):
    page = call(partner.url)
    before = written(session)
    answer = call(partner.url, partner.form(page.body, **{field: value}))
    assert answer.status == 400
    label = re.search(rf'<label for="{field}">[^<]*<span class="error">([^<]*)</span>', answer.body)
    if field == "consent":
        label = re.search(r'name="consent"[^<]*<span class="error">([^<]*)</span>', answer.body)
    assert label is not None and reason in label.group(1), answer.body[:3000]
    assert written(session) == before


def test_no_way_to_reach_the_patient_is_refused(partner, session):
    page = call(partner.url)
    before = written(session)
    answer = call(partner.url, partner.form(page.body, phone="", email=""))
    assert answer.status == 400 and "give the patient&#x27;s phone or email" in answer.body
    assert written(session) == before


def test_a_body_past_the_limit_is_413(partner, session):
    before = written(session)
    assert call(partner.url, b"first_name=" + b"x" * 40_000).status == 413
    assert written(session) == before


def test_the_status_page_shows_the_referral_and_no_patient_identifier(partner, session, now):
    page = call(partner.url)
    call(partner.url, partner.form(page.body))
    referral = session.exec(select(Referral)).one()
    referral.contacted_at, referral.status = now + timedelta(hours=2), "contacted"
    session.add(referral)
    session.commit()
    other = make_referral(session, make_partner(session), partner_reference="OTHER-1")
    old = make_referral(
        session,
        session.get(Partner, partner.partner_id),
        received_at=now - timedelta(days=91),
        partner_reference="OLD-1",
    )
    status = call(partner.url).body.split("<h2>Your referrals", 1)[1]
    assert (
        f"<tr><td>{referral.id}</td><td>PCP-77</td><td>Nov 25, 2026</td><td>Nov 25, 2026</td>"
        "<td>—</td><td>—</td><td>Contacted</td></tr>"
    ) in status
    for secret in ("Zebulon", "Quartz", "ZQ", "Z.Q.", "555-0142", "zq@", "Concussion"):
        assert secret not in status
    assert "OTHER-1" not in status and "OLD-1" not in status
    assert str(other.id) not in re.findall(r"<tr><td>(\d+)</td>", status)
    assert str(old.id) not in re.findall(r"<tr><td>(\d+)</td>", status)


def test_the_form_gives_the_practices_channel_for_clinical_documents(partner, monkeypatch):
    monkeypatch.setenv("LIAISON_REFERRAL_FAX", "617-555-0199")
    monkeypatch.setenv("LIAISON_REFERRAL_SECURE_EMAIL", "referrals@direct.example.org")
    settings_module.get.cache_clear()
    page = call(partner.url).body
    assert "fax to (617) 555-0199" in page and "referrals@direct.example.org" in page


def test_the_same_form_sent_twice_at_once_makes_one_referral(partner, session):
    page = call(partner.url)
    form, start = partner.form(page.body), threading.Barrier(2)

    def send(_: int) -> Answer:
        start.wait()
        return call(partner.url, form)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(send, range(2)))
    referral = session.exec(select(Referral)).one()
    assert [a.status for a in answers] == [200, 200]
    assert all(f"<strong>{referral.id}</strong>" in a.body for a in answers)
    assert len(session.exec(select(Message)).all()) == 1


def test_a_copy_of_the_form_changed_and_sent_again_is_the_next_patient(partner, session):
    """Back, change the patient, send: the same copy of the form, saying something else."""
    page = call(partner.url).body
    first = call(partner.url, partner.form(page))
    second = call(
        partner.url, partner.form(page, first_name="Yolanda", email="", partner_reference="PCP-78")
    )
    numbers = [r.id for r in session.exec(select(Referral).order_by(Referral.id))]
    assert len(numbers) == 2
    assert f"<strong>{numbers[0]}</strong>" in first.body
    assert f"<strong>{numbers[1]}</strong>" in second.body
