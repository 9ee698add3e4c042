from datetime import timedelta

import pytest
from sqlmodel import select

from crm.access import PermissionDenied
from crm.models import AuditLog, Partner
from crm.partners import (
    PartnerInput,
    PartnerQuery,
    archive_partner,
    create_partner,
    match_key,
    partner_detail,
    search_partners,
    update_partner,
)
from tests.factories import make_contact, make_partner, make_referral, make_touch


def test_a_marketer_creates_a_partner_and_the_audit_log_records_it(session, marketer, now):
    partner = create_partner(
        session, marketer, PartnerInput(name="Northside PT", partner_type="PT"), now
    )
    session.commit()
    assert session.get(Partner, partner.id).partner_type == "physical_therapy"
    entry = session.exec(select(AuditLog)).one()
    assert (entry.action, entry.entity, entry.entity_id, entry.user_id) == (
        "create",
        "partner",
        partner.id,
        marketer.id,
    )


def test_a_viewer_cannot_create_edit_or_archive_a_partner(session, viewer, now):
    partner = make_partner(session)
    data = PartnerInput(name="Changed", partner_type="school")
    with pytest.raises(PermissionDenied):
        create_partner(session, viewer, data, now)
    with pytest.raises(PermissionDenied):
        update_partner(session, viewer, partner.id, data, now)
    with pytest.raises(PermissionDenied):
        archive_partner(session, viewer, partner.id, now)
    session.rollback()
    assert session.get(Partner, partner.id).name == partner.name


def test_an_update_records_only_the_changed_fields(session, marketer, now):
    partner = make_partner(session, name="Old Name", tier="B")
    data = PartnerInput(
        **{**partner.model_dump(include=set(PartnerInput.model_fields)), "name": "New Name"}
    )
    update_partner(session, marketer, partner.id, data, now)
    session.commit()
    entry = session.exec(select(AuditLog)).one()
    assert '"name": ["Old Name", "New Name"]' in entry.changes
    assert "tier" not in entry.changes


def test_archived_partners_leave_the_directory_but_keep_their_history(session, marketer, now):
    partner = make_partner(session, name="Closing Clinic")
    make_referral(session, partner)
    archive_partner(session, marketer, partner.id, now)
    session.commit()
    rows, total = search_partners(session, PartnerQuery(), now)
    assert total == 0
    rows, total = search_partners(session, PartnerQuery(include_archived=True), now)
    assert [r.name for r in rows] == ["Closing Clinic"] and rows[0].referrals_12m == 1


def test_the_directory_filters_by_type_tier_and_text(session, now):
    make_partner(session, name="Elm Family Medicine", partner_type="primary_care", tier="A")
    make_partner(session, name="Elm Street PT", partner_type="physical_therapy", tier="A")
    make_partner(session, name="Oak Family Medicine", partner_type="primary_care", tier="C")
    rows, total = search_partners(
        session, PartnerQuery(text="elm", types=["primary_care"], tiers=["A"]), now
    )
    assert total == 1 and rows[0].name == "Elm Family Medicine"


def test_the_directory_shows_referrals_in_the_last_year_and_the_last_touch(session, now):
    partner = make_partner(session)
    make_referral(session, partner, received_at=now - timedelta(days=10))
    make_referral(session, partner, received_at=now - timedelta(days=400))
    make_touch(session, partner, occurred_at=now - timedelta(days=3))
    make_touch(session, partner, occurred_at=now - timedelta(days=30))
    [row], _ = search_partners(session, PartnerQuery(), now)
    assert row.referrals_12m == 1
    assert row.last_touch_at == now - timedelta(days=3)


def test_a_partners_timeline_mixes_touches_and_referrals_newest_first(session, now):
    partner = make_partner(session)
    contact = make_contact(session, partner, first_name="Ana", last_name="Diaz")
    make_touch(
        session,
        partner,
        occurred_at=now - timedelta(days=5),
        contact_id=contact.id,
        outcome="left samples",
    )
    make_referral(session, partner, received_at=now - timedelta(days=1))
    detail = partner_detail(session, partner.id)
    assert [e.kind for e in detail.timeline] == ["referral", "touch"]
    assert "Ana Diaz" in detail.timeline[1].detail and "left samples" in detail.timeline[1].detail
    assert [c.first_name for c in detail.contacts] == ["Ana"]


def test_the_match_key_ignores_case_punctuation_and_street_abbreviations():
    assert match_key("Acme PT, Inc.", "100 Main Street, Suite 2") == match_key(
        "ACME PT INC", "100 main st ste 2"
    )
    assert match_key("Acme PT", "100 Main St") != match_key("Acme PT", "102 Main St")
