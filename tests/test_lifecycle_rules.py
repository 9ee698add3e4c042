"""The lifecycle rules as plain values: which move a partner makes, when, and why."""

from datetime import UTC, datetime, timedelta

from crm.lifecycle.rules import Event, PartnerFacts, Thresholds, dormant_threshold_days, moves_for

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
CREATED = NOW - timedelta(days=900)


def facts(status: str = "prospect", **fields) -> PartnerFacts:
    return PartnerFacts(
        partner_id=1, status=status, since=fields.pop("since", None), created_at=CREATED, **fields
    )


def days_ago(days: float, id: int = 1) -> Event:
    return Event(at=NOW - timedelta(days=days), id=id)


def test_a_weekly_source_is_dormant_after_the_minimum_not_after_three_weeks():
    assert dormant_threshold_days(7, Thresholds()) == 60


def test_a_monthly_source_is_dormant_after_three_of_its_intervals():
    assert dormant_threshold_days(30, Thresholds()) == 90


def test_a_twice_a_year_source_is_dormant_after_the_maximum():
    assert dormant_threshold_days(180, Thresholds()) == 180


def test_a_source_without_a_rhythm_yet_is_dormant_after_the_maximum():
    assert dormant_threshold_days(None, Thresholds(dormant_max_days=120)) == 120


def test_a_conversation_before_the_first_referral_is_kept_as_its_own_move():
    moves = moves_for(
        facts(
            first_conversation=days_ago(10, id=7),
            first_referral=days_ago(3, id=9),
            last_referral=days_ago(3, id=9),
        ),
        NOW,
    )
    assert [(m.to_status, m.cause, m.cause_id, m.at) for m in moves] == [
        ("engaged", "touch", 7, NOW - timedelta(days=10)),
        ("referral_source", "referral", 9, NOW - timedelta(days=3)),
    ]


def test_a_referral_before_any_conversation_makes_a_source_directly():
    moves = moves_for(
        facts(
            first_conversation=days_ago(2, id=7),
            first_referral=days_ago(3, id=9),
            last_referral=days_ago(3, id=9),
        ),
        NOW,
    )
    assert [(m.from_status, m.to_status) for m in moves] == [("prospect", "referral_source")]


def test_old_referrals_make_a_source_then_dormant_in_one_pass():
    moves = moves_for(
        facts(
            first_referral=days_ago(400, id=1),
            last_referral=days_ago(300, id=5),
            usual_interval_days=20,
        ),
        NOW,
    )
    assert [m.to_status for m in moves] == ["referral_source", "dormant"]
    assert moves[-1].at == NOW and "usual interval 20 days" in moves[-1].detail


def test_a_referral_entered_late_brings_a_dormant_partner_back_when_it_is_recent():
    went_dormant = NOW - timedelta(days=1)
    late = Event(at=NOW - timedelta(days=2), id=4)
    moves = moves_for(
        facts(
            "dormant",
            since=went_dormant,
            late_referral=late,
            last_referral=late,
            usual_interval_days=30,
        ),
        NOW,
    )
    assert [(m.to_status, m.cause_id, m.at) for m in moves] == [
        ("referral_source", 4, went_dormant)
    ]


def test_an_old_referral_entered_late_leaves_a_dormant_partner_dormant():
    went_dormant = NOW - timedelta(days=1)
    old = Event(at=NOW - timedelta(days=200), id=4)
    assert (
        moves_for(facts("dormant", since=went_dormant, late_referral=old, last_referral=old), NOW)
        == []
    )


def test_do_not_contact_never_moves():
    assert (
        moves_for(
            facts(
                "do_not_contact",
                first_conversation=days_ago(1),
                first_referral=days_ago(1),
                last_referral=days_ago(1),
            ),
            NOW,
        )
        == []
    )


def test_a_source_a_person_just_marked_is_not_dormant_for_lack_of_referrals():
    assert moves_for(facts("referral_source", since=NOW - timedelta(days=5)), NOW) == []


def test_a_dormant_partner_without_recorded_history_stays_dormant_on_old_referrals():
    assert (
        moves_for(
            facts(
                "dormant",
                first_referral=days_ago(400, id=1),
                last_referral=days_ago(300, id=5),
                usual_interval_days=20,
            ),
            NOW,
        )
        == []
    )


def test_a_dormant_partner_without_recorded_history_is_a_source_on_a_recent_referral():
    moves = moves_for(
        facts(
            "dormant",
            first_referral=days_ago(400, id=1),
            last_referral=days_ago(3, id=5),
            usual_interval_days=20,
        ),
        NOW,
    )
    assert [(m.to_status, m.cause_id) for m in moves] == [("referral_source", 5)]


def test_partner_ids_go_to_the_database_in_batches():
    from crm.lifecycle.effects import batches

    assert batches([1, 2, 3, 4, 5], size=2) == [[1, 2], [3, 4], [5]]


def test_a_referral_entered_after_a_person_reset_a_prospect_makes_it_a_source():
    reset = NOW - timedelta(days=1)
    late = Event(at=NOW - timedelta(days=3), id=4)
    moves = moves_for(facts(since=reset, late_referral=late, last_referral=late), NOW)
    assert [(m.to_status, m.cause_id, m.at) for m in moves] == [("referral_source", 4, reset)]
