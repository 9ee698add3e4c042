"""The partner link's token and rotation, and the web-form referral's domain rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlmodel import select

from campaigns.events.tokens import make_token as rsvp_token
from campaigns.reviews.links import make_token as review_token
from crm import intake
from crm.access import PermissionDenied
from crm.intake import FormRefused, parse, recent_referrals, submit
from crm.models import AuditLog, Patient, Referral
from crm.partner_links import (
    SALT,
    form_key,
    link_for,
    make_token,
    new_form_key,
    resolve,
    resolve_token,
    rotate,
    verify,
)
from crm.settings import Settings
from tests.factories import make_contact, make_location, make_partner, make_patient, make_referral

KEY = "test-secret-key"
SETTINGS = Settings(secret_key=KEY, public_url="https://liaison.example.org")


def _form(location_id: int, contact_id: int, **fields: str) -> dict[str, str]:
    return {
        "contact": str(contact_id),
        "first_name": "Zebulon",
        "last_name": "Quartz",
        "phone": "617-555-0142",
        "email": "zq@mail.example.org",
        "location": str(location_id),
        "service_line": "knee",
        "urgency": "soon",
        "partner_reference": "PCP-77",
        "consent": "yes",
        **fields,
    }


def test_the_link_names_the_partner_and_opens_its_pages(session):
    partner = make_partner(session)
    url = link_for(SETTINGS, partner)
    assert url.startswith("https://liaison.example.org/p/")
    assert resolve_token(session, KEY, url.rsplit("/", 1)[1]).id == partner.id


def test_forged_foreign_and_altered_tokens_are_not_partner_links(session):
    partner = make_partner(session)
    assert verify(KEY, URLSafeSerializer("guessed", salt=SALT).dumps([partner.id, 1])) is None
    assert verify(KEY, review_token(KEY, "l", partner.id)) is None
    assert verify(KEY, rsvp_token(KEY, partner.id, "yes")) is None
    other = make_token(KEY, partner.id + 1, 1).split(".")[0]
    signature = make_token(KEY, partner.id, 1).split(".")[1]
    assert verify(KEY, f"{other}.{signature}") is None


def test_rotating_shuts_the_old_link_and_is_audited(session, marketer, now):
    partner = make_partner(session)
    old = verify(KEY, make_token(KEY, partner.id, partner.link_version))
    rotate(session, marketer, partner.id, now)
    session.commit()
    assert resolve(session, old) is None
    assert resolve_token(session, KEY, link_for(SETTINGS, partner).rsplit("/", 1)[1]).id == (
        partner.id
    )
    entry = session.exec(select(AuditLog).where(AuditLog.action == "rotate link")).one()
    assert (entry.entity, entry.entity_id, entry.user_id) == ("partner", partner.id, marketer.id)


def test_a_viewer_cannot_rotate(session, viewer, now):
    partner = make_partner(session)
    with pytest.raises(PermissionDenied):
        rotate(session, viewer, partner.id, now)


def test_an_archived_partners_link_opens_nothing(session, now):
    partner = make_partner(session, archived_at=now)
    assert resolve_token(session, KEY, make_token(KEY, partner.id, 1)) is None


def test_a_form_key_names_its_partner():
    signed = new_form_key(KEY, 7)
    assert form_key(KEY, 7, signed).startswith("7:")
    assert form_key(KEY, 8, signed) is None
    assert form_key(KEY, 7, signed[:-2] + "xx") is None


def test_each_bad_field_is_named():
    with pytest.raises(FormRefused) as refused:
        parse({"first_name": "", "last_name": "Quartz", "email": "not-an-email", "location": "1"})
    assert refused.value.errors["first_name"] == "required"
    assert "invalid email" in refused.value.errors["email"]
    assert refused.value.errors["service_line"] == "choose one of the listed services"


def test_no_way_to_reach_the_patient_is_refused(session):
    with pytest.raises(FormRefused) as refused:
        parse({**_form(1, 1), "phone": "", "email": ""})
    assert "phone or email" in refused.value.errors["phone"]


def test_a_submission_reuses_the_patient_with_that_email(session, now):
    partner, location = make_partner(session), make_location(session)
    contact = make_contact(session, partner)
    known = make_patient(session, email="zq@mail.example.org", first_name="Zeb")
    sent = submit(session, partner, _form(location.id, contact.id), "k1", now)
    referral = session.get(Referral, sent.referral_id)
    assert referral.patient_id == known.id and session.get(Patient, known.id).first_name == "Zeb"
    assert (referral.channel, referral.status, referral.urgency) == ("web_form", "received", "soon")


def test_a_submission_reuses_the_patient_with_that_name_and_phone(session, now):
    partner, location = make_partner(session), make_location(session)
    contact = make_contact(session, partner)
    known = make_patient(
        session, email=None, first_name="ZEBULON", last_name="quartz", phone="+16175550142"
    )
    sent = submit(session, partner, _form(location.id, contact.id, email=""), "k1", now)
    assert session.get(Referral, sent.referral_id).patient_id == known.id


def test_the_same_form_twice_is_one_referral(session, now):
    partner, location = make_partner(session), make_location(session)
    contact = make_contact(session, partner)
    first = submit(session, partner, _form(location.id, contact.id), "k1", now)
    again = submit(session, partner, _form(location.id, contact.id), "k1", now)
    assert (again.referral_id, again.created) == (first.referral_id, False)
    assert len(session.exec(select(Referral)).all()) == 1


def test_a_reference_sent_before_is_refused_with_our_number(session, now):
    partner, location = make_partner(session), make_location(session)
    contact = make_contact(session, partner)
    first = submit(session, partner, _form(location.id, contact.id), "k1", now)
    with pytest.raises(FormRefused) as refused:
        submit(session, partner, _form(location.id, contact.id), "k2", now)
    assert str(first.referral_id) in refused.value.errors["partner_reference"]


def test_a_contact_of_another_partner_is_refused(session, now):
    partner, location = make_partner(session), make_location(session)
    stranger = make_contact(session, make_partner(session))
    with pytest.raises(FormRefused) as refused:
        submit(session, partner, _form(location.id, stranger.id), "k1", now)
    assert "contact" in refused.value.errors
    assert session.exec(select(Referral)).all() == []


def test_a_new_referrer_becomes_a_contact_once(session, now):
    partner, location = make_partner(session), make_location(session)
    new = {"contact": "new", "contact_name": "Ana Ruiz", "contact_email": "Ana@pcp.example.org"}
    first = submit(session, partner, _form(location.id, 0, **new), "k1", now)
    second = submit(
        session, partner, _form(location.id, 0, partner_reference="PCP-78", **new), "k2", now
    )
    contacts = {session.get(Referral, s.referral_id).contact_id for s in (first, second)}
    assert len(contacts) == 1


def test_the_status_list_is_the_partners_last_ninety_days_newest_first(session, now):
    partner, other = make_partner(session), make_partner(session)
    old = make_referral(session, partner, received_at=now - timedelta(days=91))
    older = make_referral(session, partner, received_at=now - timedelta(days=5))
    newer = make_referral(session, partner, received_at=now - timedelta(days=1))
    make_referral(session, other, received_at=now)
    numbers = [row.number for row in recent_referrals(session, partner.id, now)]
    assert numbers == [newer.id, older.id] and old.id not in numbers


def test_a_copy_that_loses_the_race_answers_with_the_winners_referral(session, now, monkeypatch):
    partner, location = make_partner(session), make_location(session)
    contact = make_contact(session, partner)
    form = _form(location.id, contact.id, partner_reference="")
    first = submit(session, partner, form, "k1", now)
    session.commit()
    looked = iter([None])
    real = intake._by_key
    monkeypatch.setattr(intake, "_by_key", lambda s, key: next(looked, real(s, key)))
    again = submit(session, partner, form, "k1", now)  # as if the first were not yet committed
    assert (again.referral_id, again.created) == (first.referral_id, False)
    assert len(session.exec(select(Referral)).all()) == 1
