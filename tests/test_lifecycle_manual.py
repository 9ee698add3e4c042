"""A person changing a partner's status: recorded with who did it; do not contact stops
all outreach at once and the lifecycle pass never undoes it."""

from datetime import timedelta

from campaigns.cadences.enrolment import enrol
from crm.lifecycle import advance_lifecycle
from crm.models import PartnerStatusChange
from crm.partners import PartnerInput, update_partner
from tests.factories import make_partner, make_referral
from tests.lifecycle_helpers import enrolments, make_cadence, status_of


def set_status(session, actor, partner, status, now):
    data = PartnerInput(
        **{**partner.model_dump(include=set(PartnerInput.model_fields)), "status": status}
    )
    update_partner(session, actor, partner.id, data, now)
    session.commit()


def test_a_person_setting_do_not_contact_exits_every_live_enrolment(session, marketer, admin, now):
    partner = make_partner(session)
    prospecting, other = make_cadence(session, "prospecting"), make_cadence(session, "other")
    for cadence in (prospecting, other):
        enrol(session, admin, cadence.id, [partner.id], now=now - timedelta(days=5))
    set_status(session, marketer, partner, "do_not_contact", now)
    assert enrolments(session, partner) == [
        (prospecting.id, "exited", "do_not_contact"),
        (other.id, "exited", "do_not_contact"),
    ]


def test_a_manual_status_change_is_recorded_with_the_person(session, marketer, now):
    partner = make_partner(session)
    set_status(session, marketer, partner, "do_not_contact", now)
    change = session.exec(PartnerStatusChange.__table__.select()).one()
    assert (change.from_status, change.to_status, change.cause, change.user_id, change.at) == (
        "prospect",
        "do_not_contact",
        "manual",
        marketer.id,
        now,
    )


def test_saving_a_partner_without_changing_its_status_records_nothing(session, marketer, now):
    partner = make_partner(session)
    data = PartnerInput(
        **{**partner.model_dump(include=set(PartnerInput.model_fields)), "city": "Salem"}
    )
    update_partner(session, marketer, partner.id, data, now)
    session.commit()
    assert session.exec(PartnerStatusChange.__table__.select()).all() == []


def test_a_referral_after_do_not_contact_leaves_it_do_not_contact(session, marketer, now):
    partner = make_partner(session)
    set_status(session, marketer, partner, "do_not_contact", now - timedelta(days=10))
    make_referral(session, partner, received_at=now - timedelta(days=1))
    advance_lifecycle(session, now)
    assert status_of(session, partner) == "do_not_contact"


def test_a_person_clearing_do_not_contact_lets_the_next_referral_count(session, marketer, now):
    partner = make_partner(session, status="do_not_contact")
    set_status(session, marketer, partner, "prospect", now - timedelta(days=10))
    make_referral(session, partner, received_at=now - timedelta(days=1))
    advance_lifecycle(session, now)
    assert status_of(session, partner) == "referral_source"
