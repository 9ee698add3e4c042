"""The lifecycle pass on the database: statuses move from what happened, each move is
recorded with its cause, and the cadence effects follow."""

from datetime import timedelta

from campaigns.cadences.enrolment import enrol
from crm.lifecycle import advance_lifecycle
from crm.referrals import ReferralInput, create_referral
from tests.factories import make_partner, make_referral, make_touch
from tests.lifecycle_helpers import enrolments, history, make_cadence, refer_every, status_of


def test_a_first_referral_makes_a_prospect_a_referral_source(session, now):
    partner = make_partner(session)
    referral = make_referral(session, partner, received_at=now - timedelta(days=2))
    advance_lifecycle(session, now)
    assert status_of(session, partner) == "referral_source"
    assert history(session, partner) == [("prospect", "referral_source", "referral", referral.id)]


def test_a_first_referral_exits_the_prospecting_cadence(session, admin, now):
    partner = make_partner(session)
    prospecting = make_cadence(session, "prospecting", exit_on_referral_source=True)
    enrol(session, admin, prospecting.id, [partner.id], now=now - timedelta(days=30))
    make_referral(session, partner, received_at=now - timedelta(days=2))
    advance_lifecycle(session, now)
    assert enrolments(session, partner) == [(prospecting.id, "exited", "referral_source")]


def test_a_first_referral_enrols_the_partner_in_the_prospecting_cadences_nurture_cadence(
    session, admin, now
):
    partner = make_partner(session)
    nurture = make_cadence(session, "nurture")
    prospecting = make_cadence(
        session, "prospecting", exit_on_referral_source=True, nurture_cadence_id=nurture.id
    )
    enrol(session, admin, prospecting.id, [partner.id], now=now - timedelta(days=30))
    make_referral(session, partner, received_at=now - timedelta(days=2))
    advance_lifecycle(session, now)
    assert enrolments(session, partner) == [
        (prospecting.id, "exited", "referral_source"),
        (nurture.id, "active", ""),
    ]


def test_a_cadence_not_set_to_exit_on_referral_source_keeps_the_partner(session, admin, now):
    partner = make_partner(session)
    other = make_cadence(session, "other")
    enrol(session, admin, other.id, [partner.id], now=now - timedelta(days=30))
    make_referral(session, partner, received_at=now - timedelta(days=2))
    advance_lifecycle(session, now)
    assert enrolments(session, partner) == [(other.id, "active", "")]


def test_a_call_makes_a_prospect_engaged(session, now):
    partner = make_partner(session)
    call = make_touch(session, partner, occurred_at=now - timedelta(days=1), kind="call")
    advance_lifecycle(session, now)
    assert history(session, partner) == [("prospect", "engaged", "touch", call.id)]


def test_an_email_leaves_a_prospect_a_prospect(session, now):
    partner = make_partner(session)
    make_touch(session, partner, occurred_at=now - timedelta(days=1), kind="email")
    advance_lifecycle(session, now)
    assert status_of(session, partner) == "prospect"


def test_a_source_quiet_beyond_its_own_rhythm_becomes_dormant(session, now):
    partner = make_partner(session, status="referral_source")
    refer_every(session, partner, days=10, count=12, last=now - timedelta(days=70))
    report = advance_lifecycle(session, now)
    assert status_of(session, partner) == "dormant"
    assert (
        report.moves[0].detail
        == "no referral for 70 days; usual interval 10 days; dormant after 60 days"
    )


def test_a_source_going_dormant_enters_the_win_back_cadence(session, now):
    partner = make_partner(session, status="referral_source")
    win_back = make_cadence(session, "win_back")
    refer_every(session, partner, days=10, count=12, last=now - timedelta(days=70))
    advance_lifecycle(session, now)
    assert enrolments(session, partner) == [(win_back.id, "active", "")]


def test_a_switched_off_win_back_cadence_enrols_nobody(session, now):
    partner = make_partner(session, status="referral_source")
    make_cadence(session, "win_back", active=False)
    refer_every(session, partner, days=10, count=12, last=now - timedelta(days=70))
    advance_lifecycle(session, now)
    assert enrolments(session, partner) == []


def test_a_source_referring_on_its_usual_rhythm_stays_a_source(session, now):
    partner = make_partner(session, status="referral_source")
    refer_every(session, partner, days=30, count=8, last=now - timedelta(days=80))
    advance_lifecycle(session, now)
    assert status_of(session, partner) == "referral_source"


def test_a_dormant_partner_becomes_a_source_again_on_a_new_referral(session, now):
    partner = make_partner(session, status="referral_source")
    refer_every(session, partner, days=10, count=12, last=now - timedelta(days=100))
    advance_lifecycle(session, now - timedelta(days=20))
    referral = make_referral(session, partner, received_at=now - timedelta(days=1))
    advance_lifecycle(session, now)
    assert history(session, partner) == [
        ("referral_source", "dormant", "quiet", None),
        ("dormant", "referral_source", "referral", referral.id),
    ]


def test_the_pass_never_changes_do_not_contact(session, now):
    partner = make_partner(session, status="do_not_contact")
    make_touch(session, partner, occurred_at=now - timedelta(days=1), kind="visit")
    make_referral(session, partner, received_at=now - timedelta(days=1))
    advance_lifecycle(session, now)
    assert (status_of(session, partner), history(session, partner)) == ("do_not_contact", [])


def test_a_second_pass_records_nothing_new(session, now):
    partners = [
        make_partner(session),
        make_partner(session, status="referral_source"),
        make_partner(session),
    ]
    make_touch(session, partners[0], occurred_at=now - timedelta(days=1), kind="visit")
    refer_every(session, partners[1], days=10, count=12, last=now - timedelta(days=70))
    make_referral(session, partners[2], received_at=now - timedelta(days=400))
    first = advance_lifecycle(session, now)
    second = advance_lifecycle(session, now + timedelta(hours=1))
    assert (len(first.moves), second.moves) == (4, [])


def test_a_touch_dated_after_now_does_not_count_yet(session, now):
    partner = make_partner(session)
    make_touch(session, partner, occurred_at=now + timedelta(days=3), kind="visit")
    advance_lifecycle(session, now)
    assert status_of(session, partner) == "prospect"


def test_an_archived_partner_is_left_alone(session, now):
    partner = make_partner(session, archived_at=now - timedelta(days=5))
    make_referral(session, partner, received_at=now - timedelta(days=1))
    advance_lifecycle(session, now)
    assert status_of(session, partner) == "prospect"


def test_entering_a_referral_exits_the_prospecting_cadence_at_once(session, admin, now):
    partner = make_partner(session)
    prospecting = make_cadence(session, "prospecting", exit_on_referral_source=True)
    enrol(session, admin, prospecting.id, [partner.id], now=now - timedelta(days=30))
    create_referral(
        session, admin, partner.id, ReferralInput(received_at=now - timedelta(hours=2)), now
    )
    assert enrolments(session, partner) == [(prospecting.id, "exited", "referral_source")]


def test_a_pass_limited_to_some_partners_leaves_the_others(session, now):
    chosen, other = make_partner(session), make_partner(session)
    for partner in (chosen, other):
        make_referral(session, partner, received_at=now - timedelta(days=1))
    advance_lifecycle(session, now, partner_ids=[chosen.id])
    assert (status_of(session, chosen), status_of(session, other)) == (
        "referral_source",
        "prospect",
    )


def test_a_referral_sources_new_referral_leaves_it_a_source_and_records_no_move(
    session, admin, now
):
    partner = make_partner(session)
    make_referral(session, partner, received_at=now - timedelta(days=40))
    advance_lifecycle(session, now - timedelta(days=39))
    before = history(session, partner)
    create_referral(session, admin, partner.id, ReferralInput(received_at=now), now)
    assert (status_of(session, partner), history(session, partner)) == ("referral_source", before)


def test_a_quiet_sources_referral_entered_from_long_ago_still_lets_it_go_dormant(
    session, admin, now
):
    partner = make_partner(session)
    make_referral(session, partner, received_at=now - timedelta(days=400))
    advance_lifecycle(session, now - timedelta(days=399))
    assert status_of(session, partner) == "referral_source"
    old = ReferralInput(received_at=now - timedelta(days=300))
    create_referral(session, admin, partner.id, old, now)
    assert status_of(session, partner) == "dormant"
