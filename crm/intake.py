"""Referrals a partner sends through its partner link, and what the link shows back.

The form takes only what the front desk needs to call the patient: who refers, the
patient's name and a way to reach them, a clinic, a coarse service line, the urgency
and the partner's own reference. There is no free-text field for clinical detail; the
page sends documents to the practice's fax or secure channel instead.

A submission is checked whole before anything is written, and each refusal names its
field, so the page can show the reason beside it. Each form carries a one-time key,
stored on the referral (unique) with a digest of the fields, so a double click or a
resubmitted page finds the referral it already made. A patient already on file (same email, or same name and
phone) is reused as is: whoever holds a partner link cannot change a patient's record.

The status list is what anyone holding the link may read: numbers, the partner's own
reference, dates and the status. Nothing in it names or describes a patient."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ValidationError, model_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from crm import audit
from crm.access import Actor
from crm.errors import Conflict, InvalidInput
from crm.fields import Email, Phone, text, vocab
from crm.models import Contact, Location, Partner, Patient, Referral
from crm.patients import PatientInput, create_patient
from crm.referrals import ReferralInput, create_referral
from crm.settings import Settings
from crm.validation import display_phone
from crm.vocab import ReferralChannel, Role, ServiceLine, Urgency

# Who wrote a web-form referral in the audit trail: no user, the partner's link.
PARTNER_LINK = Actor(id=None, role=Role.MARKETER, name="partner link")
CONSENT_SOURCE = "partner referral form"
NEW_CONTACT = "new"
STATUS_DAYS = 90
MAX_LENGTH = 254  # the longest any field may be (an email address)
FIELDS = (
    "contact",
    "contact_name",
    "contact_email",
    "first_name",
    "last_name",
    "phone",
    "email",
    "location",
    "service_line",
    "urgency",
    "partner_reference",
    "consent",
)


class FormRefused(InvalidInput):
    """The submission as a whole is refused; `errors` holds the reason for each field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in errors.items()))
        self.errors = errors


class WebReferral(BaseModel):
    contact: text(12) = ""
    contact_name: text(160) = ""
    contact_email: Email = None
    first_name: text(80, required=True)
    last_name: text(80, required=True)
    phone: Phone = ""
    email: Email = None
    location: text(12) = ""
    service_line: vocab(ServiceLine)
    urgency: vocab(Urgency) = Urgency.ROUTINE.value
    partner_reference: text(64) = ""
    consent: bool = False

    @model_validator(mode="after")
    def _complete(self) -> WebReferral:
        errors = {}
        if not self.phone and not self.email:
            errors["phone"] = "give the patient's phone or email, so that we can reach them"
        if self.contact in ("", NEW_CONTACT):
            if not self.contact_name:
                errors["contact_name"] = "give your name, or choose it from the list"
            if not self.contact_email:
                errors["contact_email"] = "give your email, so that we can confirm the referral"
        elif not self.contact.isdigit():
            errors["contact"] = "choose a name from the list, or give yours"
        if not self.location.isdigit():
            errors["location"] = "choose one of our clinics"
        if not self.consent:
            errors["consent"] = "the patient must agree to be contacted before we call them"
        if errors:
            raise FormRefused(errors)
        return self


@dataclass(frozen=True)
class Submitted:
    referral_id: int
    created: bool  # False when the same form had been sent before


@dataclass(frozen=True)
class FormChoices:
    """What the form offers: the partner's people, our clinics, the service lines."""

    contacts: list[tuple[int, str]]
    locations: list[tuple[int, str]]
    service_lines: list[tuple[str, str]]
    urgencies: list[tuple[str, str]]


@dataclass(frozen=True)
class StatusRow:
    number: int
    reference: str
    received_at: datetime
    contacted_at: datetime | None
    scheduled_at: datetime | None
    first_visit_at: datetime | None
    status: str


def form_choices(session: Session, partner_id: int) -> FormChoices:
    contacts = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name)
        .where(Contact.partner_id == partner_id, Contact.archived_at.is_(None))
        .order_by(Contact.last_name, Contact.first_name, Contact.id)
    )
    locations = session.execute(select(Location.id, Location.name).order_by(Location.name))
    return FormChoices(
        contacts=[(id_, f"{first} {last}".strip()) for id_, first, last in contacts],
        locations=[(id_, name) for id_, name in locations],
        service_lines=[(line.value, line.label) for line in ServiceLine],
        urgencies=[(u.value, u.label) for u in Urgency],
    )


def parse(form: Mapping[str, str]) -> WebReferral:
    """The form's fields checked on their own (no database); FormRefused names each bad field."""
    values = {name: form.get(name, "") for name in FIELDS}
    too_long = {
        name: f"too long: at most {MAX_LENGTH} characters"
        for name, value in values.items()
        if len(value) > MAX_LENGTH
    }
    if too_long:  # before any check that would quote the value back
        raise FormRefused(too_long)
    values["consent"] = values["consent"] in ("yes", "on", "true", "1")
    try:
        return WebReferral(**values)
    except FormRefused:
        raise
    except ValidationError as exc:
        raise FormRefused(_reasons(exc)) from None


def _reasons(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        if not error["loc"]:
            cause = error.get("ctx", {}).get("error")
            if isinstance(cause, FormRefused):
                for field, reason in cause.errors.items():
                    errors.setdefault(field, reason)
            continue
        field = str(error["loc"][0])
        if error["type"] in ("string_too_long", "too_long"):
            reason = f"too long: at most {error['ctx']['max_length']} characters"
        elif error["type"] in ("string_too_short", "too_short", "missing"):
            reason = "required"
        else:
            reason = str(error.get("ctx", {}).get("error") or error["msg"])
            if field == "service_line":
                reason = "choose one of the listed services"
            elif field == "urgency":
                reason = "choose routine or soon"
        errors.setdefault(field, reason)
    return errors


def submit(
    session: Session, partner: Partner, form: Mapping[str, str], key: str, now: datetime
) -> Submitted:
    """Make the referral the form describes, once per `key`; FormRefused writes nothing.
    Call it first in its unit of work: a clash with a concurrent copy of the same form
    rolls the session back and answers with the referral the other copy made."""
    key = submission_key(key, form)
    earlier = _by_key(session, key)
    if earlier is not None:
        return Submitted(earlier, created=False)
    data = parse(form)
    errors: dict[str, str] = {}
    location_id = int(data.location)
    if session.get(Location, location_id) is None:
        errors["location"] = "choose one of our clinics"
    contact_id = _chosen_contact(session, partner.id, data, errors)
    if data.partner_reference:
        sent = session.scalar(
            select(Referral.id).where(
                Referral.partner_id == partner.id,
                Referral.partner_reference == data.partner_reference,
            )
        )
        if sent is not None:
            errors["partner_reference"] = (
                f"you already sent a referral with this reference: our number {sent}"
            )
    if errors:
        raise FormRefused(errors)
    try:
        referral = _write(session, partner, data, contact_id, location_id, key, now)
    except IntegrityError:
        # The same form sent twice at once: the other request made the referral. Nothing
        # else was written in this unit of work yet, so the whole of it is rolled back.
        session.rollback()
        earlier = _by_key(session, key)
        if earlier is None:
            raise Conflict(
                "a referral with this reference was sent at the same moment; "
                "please reload the page to see it"
            ) from None
        return Submitted(earlier, created=False)
    return Submitted(referral.id, created=True)


def submission_key(form_key: str, form: Mapping[str, str]) -> str:
    """The form's one-time key with a digest of what it says: the same copy sent twice
    is one referral, but a copy changed and sent again (back, edit, send: the next
    patient) is a referral of its own."""
    said = "\x1f".join(form.get(name, "") for name in FIELDS).encode("utf-8", "replace")
    return f"{form_key}:{hashlib.sha256(said).hexdigest()[:16]}"


def _by_key(session: Session, key: str) -> int | None:
    return session.scalar(select(Referral.id).where(Referral.submission_key == key))


def _chosen_contact(
    session: Session, partner_id: int, data: WebReferral, errors: dict[str, str]
) -> int | None:
    """The listed contact chosen, or the partner's contact with the email given; None
    when a new contact is to be made."""
    if data.contact.isdigit():
        contact = session.get(Contact, int(data.contact))
        if contact is None or contact.partner_id != partner_id or contact.archived_at:
            errors["contact"] = "choose a name from the list, or give yours"
            return None
        return contact.id
    return session.scalar(
        select(Contact.id)
        .where(
            Contact.partner_id == partner_id,
            Contact.archived_at.is_(None),
            func.lower(Contact.email) == data.contact_email,
        )
        .order_by(Contact.id)
        .limit(1)
    )


def _write(
    session: Session,
    partner: Partner,
    data: WebReferral,
    contact_id: int | None,
    location_id: int,
    key: str,
    now: datetime,
) -> Referral:
    if contact_id is None:
        contact_id = _new_contact(session, partner.id, data, now)
    patient_id = _matching_patient(session, data)
    if patient_id is None:
        patient = create_patient(
            session,
            PARTNER_LINK,
            PatientInput(
                first_name=data.first_name,
                last_name=data.last_name,
                email=data.email,
                phone=data.phone,
                consent_to_contact=True,
                consent_at=now,
                consent_source=CONSENT_SOURCE,
                location_id=location_id,
            ),
            now,
        )
        patient_id = patient.id
    referral = create_referral(
        session,
        PARTNER_LINK,
        partner.id,
        ReferralInput(
            received_at=now,
            partner_reference=data.partner_reference or None,
            contact_id=contact_id,
            patient_id=patient_id,
            channel=ReferralChannel.WEB_FORM.value,
            service_line=data.service_line,
            location_id=location_id,
        ),
        now,
    )
    referral.urgency, referral.submission_key = data.urgency, key
    session.add(referral)
    session.flush()
    audit.record(
        session,
        PARTNER_LINK,
        "web referral",
        "referral",
        referral.id,
        {"partner_id": partner.id, "contact_id": contact_id, "urgency": data.urgency},
        now,
    )
    return referral


def _new_contact(session: Session, partner_id: int, data: WebReferral, now: datetime) -> int:
    first, _, last = data.contact_name.rpartition(" ")
    contact = Contact(
        partner_id=partner_id,
        first_name=(first or last)[:80],
        last_name=last[:80] if first else "",
        email=data.contact_email,
        created_at=now,
        updated_at=now,
    )
    session.add(contact)
    session.flush()
    audit.record(
        session,
        PARTNER_LINK,
        "create",
        "contact",
        contact.id,
        {"partner_id": partner_id, "source": "partner link"},
        now,
    )
    return contact.id


def _matching_patient(session: Session, data: WebReferral) -> int | None:
    """The patient with this email, else the one patient with this name and phone."""
    if data.email:
        found = session.scalar(
            select(Patient.id)
            .where(func.lower(Patient.email) == data.email)
            .order_by(Patient.id)
            .limit(1)
        )
        if found is not None:
            return found
    if not data.phone:
        return None
    same = session.scalars(
        select(Patient.id)
        .where(
            func.lower(Patient.first_name) == data.first_name.lower(),
            func.lower(Patient.last_name) == data.last_name.lower(),
            Patient.phone == data.phone,
        )
        .limit(2)
    ).all()
    return same[0] if len(same) == 1 else None


def recent_referrals(session: Session, partner_id: int, now: datetime) -> list[StatusRow]:
    """The partner's referrals received in the last STATUS_DAYS, newest first. Reads
    no patient, contact or service line: the list is for anyone holding the link."""
    rows = session.execute(
        select(
            Referral.id,
            Referral.partner_reference,
            Referral.received_at,
            Referral.contacted_at,
            Referral.scheduled_at,
            Referral.first_visit_at,
            Referral.status,
        )
        .where(
            Referral.partner_id == partner_id,
            Referral.received_at >= now - timedelta(days=STATUS_DAYS),
            Referral.received_at <= now,
        )
        .order_by(Referral.received_at.desc(), Referral.id.desc())
    )
    return [
        StatusRow(id_, reference or "", received, contacted, scheduled, visit, status)
        for id_, reference, received, contacted, scheduled, visit, status in rows
    ]


def clinical_documents(settings: Settings) -> str:
    """How clinical documents reach us, in words for the form and the printed page: the
    partner link takes none."""
    ways = []
    if settings.referral_fax:
        ways.append(f"fax to {display_phone(settings.referral_fax)}")
    if settings.referral_secure_email:
        ways.append(f"secure email to {settings.referral_secure_email}")
    return " or by ".join(ways) if ways else "your usual fax or secure channel to us"
