"""Each condition, evaluated in SQL on small fixed data with the expected members
worked out by hand. `now` is 2026-11-25 15:00 UTC."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from crm.models import Cadence, Enrolment, Partner
from crm.segments import matching_ids_select, parse_definition
from tests.factories import make_partner, make_referral, make_touch, make_user


def members(
    session: Session, now: datetime, *conditions: dict[str, Any], match: str = "all"
) -> set[str]:
    definition = parse_definition({"match": match, "conditions": list(conditions)})
    ids = session.scalars(matching_ids_select(definition, now)).all()
    return {session.get(Partner, i).name for i in ids}


def cond(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def make_cadence(session: Session, now: datetime, name: str = "Win-back") -> Cadence:
    cadence = Cadence(name=name, created_at=now, updated_at=now)
    session.add(cadence)
    session.commit()
    return cadence


def enrol(
    session: Session, cadence: Cadence, partner: Partner, now: datetime, status: str = "active"
) -> None:
    session.add(
        Enrolment(
            cadence_id=cadence.id,
            partner_id=partner.id,
            status=status,
            enrolled_at=now,
            anchor_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    session.commit()


# Columns ---------------------------------------------------------------------------


def test_type_in(session, now):
    make_partner(session, name="Pcp", partner_type="primary_care")
    make_partner(session, name="Ortho", partner_type="orthopedics")
    make_partner(session, name="Gym", partner_type="gym_wellness")
    assert members(session, now, cond("partner_type", "in", ["primary_care", "orthopedics"])) == {
        "Pcp",
        "Ortho",
    }


def test_tier_not_in(session, now):
    make_partner(session, name="A", tier="A")
    make_partner(session, name="C", tier="C")
    assert members(session, now, cond("tier", "not_in", ["A", "B"])) == {"C"}


def test_status_in(session, now):
    make_partner(session, name="Source", status="referral_source")
    make_partner(session, name="Prospect", status="prospect")
    assert members(session, now, cond("status", "in", ["referral_source"])) == {"Source"}


def test_territory_in(session, now):
    make_partner(session, name="North", territory="North Shore")
    make_partner(session, name="South", territory="South Shore")
    assert members(session, now, cond("territory", "in", ["North Shore"])) == {"North"}


def test_owner_in(session, now):
    liaison = make_user(session)
    make_partner(session, name="Owned", owner_id=liaison.id)
    make_partner(session, name="Unowned")
    assert members(session, now, cond("owner", "in", [liaison.id])) == {"Owned"}


def test_owner_not_in_includes_partners_without_an_owner(session, now):
    liaison, other = make_user(session), make_user(session)
    make_partner(session, name="Mine", owner_id=liaison.id)
    make_partner(session, name="Theirs", owner_id=other.id)
    make_partner(session, name="Nobody's")
    assert members(session, now, cond("owner", "not_in", [liaison.id])) == {"Theirs", "Nobody's"}


def test_city_ignores_case(session, now):
    make_partner(session, name="Here", city="Boston")
    make_partner(session, name="There", city="Quincy")
    assert members(session, now, cond("city", "in", ["BOSTON"])) == {"Here"}


def test_zip_starts_with(session, now):
    make_partner(session, name="021", zip="02118")
    make_partner(session, name="024", zip="02445")
    assert members(session, now, cond("zip", "starts_with", ["021"])) == {"021"}


def test_zip_in(session, now):
    make_partner(session, name="Exact", zip="02118")
    make_partner(session, name="Other", zip="02119")
    assert members(session, now, cond("zip", "in", ["02118"])) == {"Exact"}


# Word lists ------------------------------------------------------------------------


def test_tags_any_matches_whole_words_only(session, now):
    """ "vip" must not match "vip-lite": a tag is matched between its commas."""
    make_partner(session, name="Vip", tags="hospital,vip")
    make_partner(session, name="Lite", tags="vip-lite")
    make_partner(session, name="Plain", tags="")
    assert members(session, now, cond("tags", "any", ["vip"])) == {"Vip"}


def test_tags_all(session, now):
    make_partner(session, name="Both", tags="hospital,vip")
    make_partner(session, name="One", tags="vip")
    assert members(session, now, cond("tags", "all", ["vip", "hospital"])) == {"Both"}


def test_sports_none(session, now):
    make_partner(session, name="Football", sports="football,soccer")
    make_partner(session, name="Swim", sports="swimming")
    make_partner(session, name="No sports", sports="")
    assert members(session, now, cond("sports", "none", ["football"])) == {"Swim", "No sports"}


def test_sports_any(session, now):
    make_partner(session, name="Football", sports="football,soccer")
    make_partner(session, name="Hockey", sports="hockey")
    assert members(session, now, cond("sports", "any", ["soccer", "lacrosse"])) == {"Football"}


# Referral activity -----------------------------------------------------------------


def test_referred_in_the_last_n_days(session, now):
    recent, old = make_partner(session, name="Recent"), make_partner(session, name="Old")
    make_partner(session, name="Never")
    make_referral(session, recent, now - timedelta(days=89))
    make_referral(session, old, now - timedelta(days=91))
    assert members(session, now, cond("referrals", "in_last_days", 90)) == {"Recent"}


def test_not_referred_in_the_last_n_days_includes_never_referred(session, now):
    recent, old = make_partner(session, name="Recent"), make_partner(session, name="Old")
    make_partner(session, name="Never")
    make_referral(session, recent, now - timedelta(days=10))
    make_referral(session, old, now - timedelta(days=200))
    assert members(session, now, cond("referrals", "none_in_last_days", 90)) == {"Old", "Never"}


def test_never_referred(session, now):
    referrer = make_partner(session, name="Referrer")
    make_partner(session, name="Never")
    make_referral(session, referrer, now - timedelta(days=900))
    assert members(session, now, cond("referrals", "never")) == {"Never"}


def rate_fixture(session: Session, now: datetime) -> None:
    """Over the last 3 months (about 91 days): Busy sent 7 (2.33/month), Steady 6
    (exactly 2/month), Quiet 1 plus 5 older than the window, Never none."""
    busy, steady, quiet = (make_partner(session, name=n) for n in ("Busy", "Steady", "Quiet"))
    make_partner(session, name="Never")
    for day in range(7):
        make_referral(session, busy, now - timedelta(days=day * 10))
    for day in range(6):
        make_referral(session, steady, now - timedelta(days=1 + day * 10))
    make_referral(session, quiet, now - timedelta(days=5))
    for day in range(5):
        make_referral(session, quiet, now - timedelta(days=120 + day))


def test_referrals_per_month_above(session, now):
    """Above 2/month over 3 months means more than 6 referrals: Steady's 6 is not above."""
    rate_fixture(session, now)
    assert members(
        session, now, cond("referrals", "per_month_above", {"per_month": 2, "months": 3})
    ) == {"Busy"}


def test_referrals_per_month_below_includes_partners_with_none(session, now):
    """Below 2/month over 3 months means fewer than 6; older referrals do not count."""
    rate_fixture(session, now)
    assert members(
        session, now, cond("referrals", "per_month_below", {"per_month": 2, "months": 3})
    ) == {"Quiet", "Never"}


def test_referrals_per_month_below_zero_matches_nobody(session, now):
    rate_fixture(session, now)
    assert (
        members(session, now, cond("referrals", "per_month_below", {"per_month": 0, "months": 3}))
        == set()
    )


# Touches, cadences, events -----------------------------------------------------------


def test_last_touch_older_than_n_days_counts_never_touched(session, now):
    fresh, stale = make_partner(session, name="Fresh"), make_partner(session, name="Stale")
    make_partner(session, name="Untouched")
    make_touch(session, fresh, now - timedelta(days=59))
    make_touch(session, stale, now - timedelta(days=61))
    assert members(session, now, cond("last_touch", "older_than_days", 60)) == {
        "Stale",
        "Untouched",
    }


def test_last_touch_within_n_days(session, now):
    fresh, stale = make_partner(session, name="Fresh"), make_partner(session, name="Stale")
    make_touch(session, fresh, now - timedelta(days=5))
    make_touch(session, stale, now - timedelta(days=61))
    assert members(session, now, cond("last_touch", "within_days", 30)) == {"Fresh"}


def test_enrolled_in_any_cadence_counts_active_and_paused(session, now):
    cadence = make_cadence(session, now)
    active, paused, ended = (make_partner(session, name=n) for n in ("Active", "Paused", "Ended"))
    make_partner(session, name="Never enrolled")
    enrol(session, cadence, active, now)
    enrol(session, cadence, paused, now, status="paused")
    enrol(session, cadence, ended, now, status="exited")
    assert members(session, now, cond("cadence", "enrolled")) == {"Active", "Paused"}


def test_not_enrolled_in_any_cadence(session, now):
    cadence = make_cadence(session, now)
    active, ended = make_partner(session, name="Active"), make_partner(session, name="Ended")
    make_partner(session, name="Never enrolled")
    enrol(session, cadence, active, now)
    enrol(session, cadence, ended, now, status="completed")
    assert members(session, now, cond("cadence", "not_enrolled")) == {"Ended", "Never enrolled"}


def test_enrolled_in_one_cadence(session, now):
    win_back, nurture = (
        make_cadence(session, now, "Win-back"),
        make_cadence(session, now, "Nurture"),
    )
    one, other = make_partner(session, name="One"), make_partner(session, name="Other")
    enrol(session, win_back, one, now)
    enrol(session, nurture, other, now)
    assert members(session, now, cond("cadence", "enrolled", win_back.id)) == {"One"}


def test_attended_an_event_in_the_last_n_days(session, now):
    went, long_ago, called = (make_partner(session, name=n) for n in ("Went", "Long ago", "Called"))
    make_touch(session, went, now - timedelta(days=20), kind="event_attendance")
    make_touch(session, long_ago, now - timedelta(days=400), kind="event_attendance")
    make_touch(session, called, now - timedelta(days=1), kind="call")
    assert members(session, now, cond("event", "attended_in_last_days", 365)) == {"Went"}


def test_attended_no_event_in_the_last_n_days(session, now):
    went, long_ago = make_partner(session, name="Went"), make_partner(session, name="Long ago")
    make_touch(session, went, now - timedelta(days=20), kind="event_attendance")
    make_touch(session, long_ago, now - timedelta(days=400), kind="event_attendance")
    assert members(session, now, cond("event", "none_attended_in_last_days", 365)) == {"Long ago"}


# Combining -------------------------------------------------------------------------


def test_all_requires_every_condition(session, now):
    make_partner(session, name="A pcp", partner_type="primary_care", tier="A")
    make_partner(session, name="C pcp", partner_type="primary_care", tier="C")
    make_partner(session, name="A gym", partner_type="gym_wellness", tier="A")
    assert members(
        session, now, cond("partner_type", "in", ["primary_care"]), cond("tier", "in", ["A"])
    ) == {"A pcp"}


def test_any_accepts_either_condition(session, now):
    make_partner(session, name="A pcp", partner_type="primary_care", tier="A")
    make_partner(session, name="C pcp", partner_type="primary_care", tier="C")
    make_partner(session, name="C gym", partner_type="gym_wellness", tier="C")
    assert members(
        session,
        now,
        cond("partner_type", "in", ["gym_wellness"]),
        cond("tier", "in", ["A"]),
        match="any",
    ) == {"A pcp", "C gym"}


def test_a_nested_any_group_inside_all(session, now):
    """Tier A AND (referred in the last 90 days OR last touch older than 60 days)."""
    referred = make_partner(session, name="Referred", tier="A")
    neglected = make_partner(session, name="Neglected", tier="A")
    covered = make_partner(session, name="Covered", tier="A")
    tier_c = make_partner(session, name="Tier C", tier="C")
    make_referral(session, referred, now - timedelta(days=30))
    make_touch(session, referred, now - timedelta(days=1))
    make_touch(session, neglected, now - timedelta(days=100))
    make_touch(session, covered, now - timedelta(days=10))
    make_referral(session, tier_c, now - timedelta(days=5))
    group = {
        "match": "any",
        "conditions": [
            cond("referrals", "in_last_days", 90),
            cond("last_touch", "older_than_days", 60),
        ],
    }
    assert members(session, now, cond("tier", "in", ["A"]), group) == {"Referred", "Neglected"}


def test_no_conditions_matches_every_partner(session, now):
    make_partner(session, name="One")
    make_partner(session, name="Two")
    assert members(session, now) == {"One", "Two"}


def test_archived_partners_never_match(session, now):
    make_partner(session, name="Live")
    make_partner(session, name="Gone", archived_at=now)
    assert members(session, now, cond("tier", "in", ["B"])) == {"Live"}
