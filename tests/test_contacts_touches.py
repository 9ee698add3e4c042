import pytest
from pydantic import ValidationError
from sqlmodel import select

from crm.access import PermissionDenied
from crm.contacts import ContactInput, archive_contact, contacts_of, create_contact, update_contact
from crm.models import AuditLog, Contact, Touch
from crm.touches import TouchInput, log_touch
from tests.factories import make_contact, make_partner


def test_a_contact_is_added_with_a_normalised_phone_and_lowercase_email(session, marketer, now):
    partner = make_partner(session)
    data = ContactInput(
        first_name="Ana",
        last_name="Diaz",
        role="Physician",
        email="Ana@Clinic.com",
        phone="617-555-0134",
        npi="1234567893",
    )
    contact = create_contact(session, marketer, partner.id, data, now)
    session.commit()
    stored = session.get(Contact, contact.id)
    assert (stored.email, stored.phone, stored.role, stored.npi) == (
        "ana@clinic.com",
        "+16175550134",
        "physician",
        "1234567893",
    )


def test_a_contact_with_a_bad_npi_and_a_bad_email_gets_both_reasons():
    with pytest.raises(ValidationError) as caught:
        ContactInput(first_name="Ana", email="ana@", npi="1234567890")
    fields = {error["loc"][0] for error in caught.value.errors()}
    assert fields == {"email", "npi"}


def test_a_viewer_cannot_add_a_contact(session, viewer, now):
    partner = make_partner(session)
    with pytest.raises(PermissionDenied):
        create_contact(session, viewer, partner.id, ContactInput(first_name="Ana"), now)


def test_opting_out_of_email_is_kept_and_audited(session, marketer, now):
    contact = make_contact(session, make_partner(session))
    data = ContactInput(
        **{**contact.model_dump(include=set(ContactInput.model_fields)), "email_opt_out": True}
    )
    update_contact(session, marketer, contact.id, data, now)
    session.commit()
    assert session.get(Contact, contact.id).email_opt_out is True
    assert '"email_opt_out": [false, true]' in session.exec(select(AuditLog)).one().changes


def test_an_archived_contact_leaves_the_list_but_stays_in_the_database(session, marketer, now):
    partner = make_partner(session)
    contact = make_contact(session, partner)
    archive_contact(session, marketer, contact.id, now)
    session.commit()
    assert contacts_of(session, partner.id) == []
    assert [c.id for c in contacts_of(session, partner.id, include_archived=True)] == [contact.id]


def test_a_touch_is_logged_by_the_signed_in_liaison(session, marketer, now):
    partner = make_partner(session)
    contact = make_contact(session, partner)
    touch = log_touch(
        session,
        marketer,
        partner.id,
        TouchInput(
            kind="Lunch-and-learn", occurred_at=now, contact_id=contact.id, outcome="12 staff"
        ),
        now,
    )
    session.commit()
    stored = session.get(Touch, touch.id)
    assert (stored.kind, stored.user_id, stored.contact_id) == (
        "lunch_and_learn",
        marketer.id,
        contact.id,
    )


def test_a_touch_cannot_name_a_contact_of_another_partner(session, marketer, now):
    partner, other = make_partner(session), make_partner(session)
    stranger = make_contact(session, other)
    with pytest.raises(ValueError, match="does not work at this partner"):
        log_touch(
            session,
            marketer,
            partner.id,
            TouchInput(kind="call", occurred_at=now, contact_id=stranger.id),
            now,
        )


def test_a_viewer_cannot_log_a_touch(session, viewer, now):
    partner = make_partner(session)
    with pytest.raises(PermissionDenied):
        log_touch(session, viewer, partner.id, TouchInput(kind="call", occurred_at=now), now)
