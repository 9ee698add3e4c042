from datetime import timedelta

import pytest
from pydantic import ValidationError

from crm.access import SYSTEM, PermissionDenied
from crm.models import Patient, Referral
from crm.patients import PatientInput, create_patient
from crm.referrals import ReferralInput, complete_visits_due, create_referral, update_referral
from tests.factories import make_partner


def test_the_referral_status_follows_the_funnel_dates(now):
    received = now - timedelta(days=10)
    assert ReferralInput(received_at=received).status_at(now) == "received"
    assert (
        ReferralInput(received_at=received, contacted_at=received + timedelta(hours=3)).status_at(
            now
        )
        == "contacted"
    )
    assert (
        ReferralInput(received_at=received, scheduled_at=received + timedelta(days=1)).status_at(
            now
        )
        == "scheduled"
    )
    assert (
        ReferralInput(received_at=received, first_visit_at=received + timedelta(days=6)).status_at(
            now
        )
        == "completed"
    )
    assert (
        ReferralInput(received_at=received, lost_reason="patient chose another clinic").status_at(
            now
        )
        == "lost"
    )


def test_a_first_visit_booked_ahead_is_scheduled_until_it_comes(session, now):
    """Booked from the queue for next week: scheduled now, completed once the visit's
    time has passed and the scheduler's pass runs."""
    partner = make_partner(session)
    visit = now + timedelta(days=7)
    booked = ReferralInput(
        received_at=now - timedelta(days=1), scheduled_at=now, first_visit_at=visit
    )
    assert booked.status_at(now) == "scheduled"
    referral = create_referral(session, SYSTEM, partner.id, booked, now)
    assert complete_visits_due(session, visit - timedelta(minutes=1)) == 0
    assert referral.status == "scheduled"
    assert complete_visits_due(session, visit) == 1
    session.refresh(referral)
    assert referral.status == "completed"
    assert complete_visits_due(session, visit + timedelta(days=1)) == 0


def test_a_stage_before_receipt_is_refused(now):
    with pytest.raises(ValidationError, match="contacted before the referral was received"):
        ReferralInput(received_at=now, contacted_at=now - timedelta(days=1))


def test_a_lost_referral_needs_a_reason(now):
    with pytest.raises(ValidationError, match="needs a reason"):
        ReferralInput(received_at=now, lost=True)


def test_a_service_line_must_be_a_known_category_not_free_text(now):
    with pytest.raises(ValidationError, match="unknown value"):
        ReferralInput(received_at=now, service_line="torn ACL, left knee")


def test_moving_a_referral_through_the_funnel_is_audited(session, marketer, now):
    partner = make_partner(session)
    referral = create_referral(
        session, marketer, partner.id, ReferralInput(received_at=now, service_line="Knee"), now
    )
    later = now + timedelta(days=2)
    update_referral(
        session,
        marketer,
        referral.id,
        ReferralInput(
            received_at=now,
            service_line="knee",
            contacted_at=now + timedelta(hours=2),
            scheduled_at=later,
        ),
        later,
    )
    session.commit()
    stored = session.get(Referral, referral.id)
    assert (stored.status, stored.scheduled_at) == ("scheduled", later)


def test_a_viewer_cannot_record_a_referral(session, viewer, now):
    partner = make_partner(session)
    with pytest.raises(PermissionDenied):
        create_referral(session, viewer, partner.id, ReferralInput(received_at=now), now)


def test_consent_to_contact_records_its_time_and_source(session, marketer, now):
    patient = create_patient(
        session,
        marketer,
        PatientInput(
            first_name="Sam",
            last_name="Rivera",
            email="sam@example.com",
            consent_to_contact=True,
            consent_source="intake form",
        ),
        now,
    )
    session.commit()
    stored = session.get(Patient, patient.id)
    assert (stored.consent_to_contact, stored.consent_at, stored.consent_source) == (
        True,
        now,
        "intake form",
    )


def test_consent_without_a_source_is_refused():
    with pytest.raises(ValidationError, match="needs its source"):
        PatientInput(first_name="Sam", last_name="Rivera", consent_to_contact=True)


def test_the_patient_record_has_no_clinical_fields():
    clinical = {
        "diagnosis",
        "condition",
        "icd10",
        "reason",
        "notes",
        "procedure",
        "injury",
        "service_line",
    }
    assert not clinical & set(Patient.model_fields)
    assert not clinical & set(PatientInput.model_fields)
