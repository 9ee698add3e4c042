"""Which partners became referral sources in a period, after which outreach."""

from datetime import timedelta

from campaigns.cadences.enrolment import enrol
from crm.lifecycle import advance_lifecycle, conversions
from tests.factories import make_partner, make_referral, make_touch
from tests.lifecycle_helpers import make_cadence


def test_a_conversion_lists_the_touches_and_enrolments_before_it(session, admin, now):
    partner = make_partner(session)
    prospecting = make_cadence(session, "prospecting", exit_on_referral_source=True)
    enrol(session, admin, prospecting.id, [partner.id], now=now - timedelta(days=40))
    email = make_touch(session, partner, occurred_at=now - timedelta(days=30), kind="email")
    visit = make_touch(session, partner, occurred_at=now - timedelta(days=20), kind="visit")
    make_referral(session, partner, received_at=now - timedelta(days=10))
    make_touch(session, partner, occurred_at=now - timedelta(days=5), kind="call")
    advance_lifecycle(session, now)
    [found] = conversions(session, now - timedelta(days=30), now)
    assert [t.touch_id for t in found.touches] == [email.id, visit.id]
    assert [(e.cadence_id, e.purpose) for e in found.enrolments] == [
        (prospecting.id, "prospecting")
    ]


def test_a_conversion_outside_the_period_is_not_listed(session, now):
    partner = make_partner(session)
    make_referral(session, partner, received_at=now - timedelta(days=40))
    advance_lifecycle(session, now)
    assert conversions(session, now - timedelta(days=30), now) == []


def test_a_win_back_is_credited_only_with_outreach_since_the_partner_last_became_a_source(
    session, now
):
    partner = make_partner(session)
    make_touch(session, partner, occurred_at=now - timedelta(days=300), kind="visit")
    make_referral(
        session,
        partner,
        received_at=now - timedelta(days=290),
        created_at=now - timedelta(days=290),
    )
    advance_lifecycle(session, now - timedelta(days=60))
    call = make_touch(session, partner, occurred_at=now - timedelta(days=20), kind="call")
    make_referral(session, partner, received_at=now - timedelta(days=10))
    advance_lifecycle(session, now)
    found = conversions(session, now - timedelta(days=30), now)
    assert [(c.from_status, [t.touch_id for t in c.touches]) for c in found] == [
        ("dormant", [call.id])
    ]
