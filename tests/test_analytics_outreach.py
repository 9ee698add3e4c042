"""Outreach conversion: the share of partners each cadence, event and seasonal send
reached that began referring within 90 days, against comparable partners it did not
reach, with the lift's 95% interval. Every expected figure is worked out by hand."""

from __future__ import annotations

import math
from datetime import date

import pytest

from crm.analytics.filters import Filters, Period
from crm.analytics.outreach import (
    BETTER,
    COLUMNS,
    NO_DIFFERENCE,
    TOO_FEW,
    TOO_RECENT,
    WORSE,
    program_conversion,
    verdict,
)
from tests.outreach_data import (
    SPRING,
    at,
    cadence,
    email_sent,
    enrol,
    event,
    introduction_cadence,
    invite,
    partners,
    referred,
    seasonal_sent,
)

SPRING_PERIOD = Period(date(2026, 3, 1), date(2026, 6, 1))
Z = 1.959963984540054


def spring(**narrowing) -> Filters:  # type: ignore[no-untyped-def]
    return Filters(SPRING_PERIOD, **narrowing)


def only(table, kind: str):  # type: ignore[no-untyped-def]
    rows = table[table["program_kind"] == kind]
    assert len(rows) == 1, table
    return rows.iloc[0]


def test_a_cadence_is_compared_with_unreached_partners_of_the_same_type_and_tier(session, now):
    program = introduction_cadence(session)
    row = only(program_conversion(session, spring(), now), "cadence")
    assert (row["program_id"], row["program"]) == (program.id, "New-partner introduction")
    assert (row["reached"], row["measured"], row["converted"]) == (3, 3, 2)
    assert row["conversion_rate"] == pytest.approx(2 / 3)
    assert (row["referrals_before"], row["referrals_after"]) == (0, 3)
    # primary care B: 1 of 4 began referring; physical therapy A: 1 of 1. Weighted by
    # the reached mix (2 of 3 primary care, 1 of 3 physical therapy): 2/3*1/4 + 1/3*1.
    assert row["comparison_partners"] == 5
    assert row["comparison_rate"] == pytest.approx(0.5)
    assert row["lift"] == pytest.approx(1 / 6)


def test_the_lift_interval_adds_the_variances_of_both_rates(session, now):
    introduction_cadence(session)
    row = only(program_conversion(session, spring(), now), "cadence")
    variance = (2 / 3 * 1 / 3) / 3 + (2 / 3) ** 2 * (1 / 4 * 3 / 4) / 4 + (1 / 3) ** 2 * 0
    assert variance == pytest.approx(0.0949074, abs=1e-7)
    assert row["lift_low"] == pytest.approx(1 / 6 - Z * math.sqrt(variance))
    assert row["lift_high"] == pytest.approx(1 / 6 + Z * math.sqrt(variance))
    assert (round(row["lift_low"], 4), round(row["lift_high"], 4)) == (-0.4371, 0.7705)


def test_a_program_that_reached_three_partners_is_too_few_to_tell(session, now):
    introduction_cadence(session)
    assert only(program_conversion(session, spring(), now), "cadence")["verdict"] == TOO_FEW


def test_partner_filters_narrow_the_reached_and_the_comparison_alike(session, now):
    introduction_cadence(session)
    row = only(program_conversion(session, spring(partner_types=("primary_care",)), now), "cadence")
    assert (row["reached"], row["measured"], row["converted"], row["comparison_partners"]) == (
        2,
        2,
        1,
        4,
    )
    assert (row["conversion_rate"], row["comparison_rate"]) == (0.5, 0.25)
    assert row["lift"] == pytest.approx(0.25)


def test_comparable_partners_are_judged_by_the_three_months_around_the_programs_month(session, now):
    program = cadence(session)
    reached = partners(session, 2)
    enrol(session, program, reached, at(4, 10))
    referred(session, reached[0], at(4, 28))
    steady, returning, quiet = partners(session, 3)
    referred(
        session, steady, at(1, 15), at(2, 15), at(3, 15), at(5, 15)
    )  # already referring: left out once
    referred(
        session, returning, at(12, 10, year=2025), at(5, 20)
    )  # December is before January-March
    row = only(program_conversion(session, spring(), now), "cadence")
    assert (row["comparison_partners"], row["comparison_rate"]) == (2, 0.5)
    assert row["lift"] == 0.0


def test_an_event_whose_attendees_began_referring_is_better_than_comparable_partners(session, now):
    lunch = event(session, at(4, 15))
    attendees = partners(session, 10, partner_type="primary_care", tier="B")
    invite(session, lunch, attendees)
    invite(
        session, lunch, partners(session, 2, partner_type="primary_care", tier="B"), attended=False
    )
    for partner in attendees[:8]:
        referred(session, partner, at(5, 10))
    others = partners(session, 8, partner_type="primary_care", tier="B")
    referred(session, others[0], at(5, 10))
    row = only(program_conversion(session, spring(), now), "event")
    assert row["program"] == "Return-to-Play After Ankle Sprains (Apr 15, 2026)"
    # 8 of 10 attendees; 1 of 10 others (the 8 plus the 2 invited who did not come).
    assert (row["reached"], row["measured"], row["converted"], row["comparison_partners"]) == (
        10,
        10,
        8,
        10,
    )
    assert (row["conversion_rate"], row["comparison_rate"]) == (0.8, 0.1)
    se = math.sqrt(0.8 * 0.2 / 10 + 0.1 * 0.9 / 10)  # sqrt(0.025) = 0.158114
    assert row["lift"] == pytest.approx(0.7)
    assert (row["lift_low"], row["lift_high"]) == (
        pytest.approx(0.7 - Z * se),
        pytest.approx(0.7 + Z * se),
    )
    assert (round(row["lift_low"], 4), round(row["lift_high"], 4)) == (0.3901, 1.0099)
    assert row["verdict"] == BETTER


def test_a_seasonal_send_reaches_the_partners_whose_contacts_it_was_sent_to(session, now):
    reached = partners(session, 2)
    seasonal_sent(session, reached, at(3, 10))
    referred(session, reached[0], at(4, 1), status="received")  # still open: it counts
    email_sent(session, partners(session, 1)[0], None)  # queued, never sent
    email_sent(session, partners(session, 1)[0], at(3, 10), source="cadence step 4", kind="cadence")
    row = only(program_conversion(session, spring(), now), "seasonal")
    assert (row["program_id"], row["program"]) == (SPRING, "Spring 2026 pre-season")
    assert (row["reached"], row["measured"], row["converted"], row["referrals_after"]) == (
        2,
        2,
        1,
        1,
    )
    # Comparison: the two partners not sent to, neither of which referred.
    assert (row["comparison_partners"], row["comparison_rate"], row["lift"]) == (2, 0.0, 0.5)
    half_width = Z * math.sqrt(0.5 * 0.5 / 2)
    assert (row["lift_low"], row["lift_high"]) == (
        pytest.approx(0.5 - half_width),
        pytest.approx(0.5 + half_width),
    )


def test_a_partner_already_referring_before_the_reach_is_not_a_candidate_but_its_referrals_count(
    session, now
):
    program = cadence(session)
    source, newcomer = partners(session, 2)
    enrol(session, program, [source, newcomer], at(4, 10))
    referred(session, source, at(1, 5), at(3, 20), at(4, 30))
    referred(session, newcomer, at(6, 2))
    row = only(program_conversion(session, spring(), now), "cadence")
    assert (row["reached"], row["already_sources"], row["measured"], row["converted"]) == (
        2,
        1,
        1,
        1,
    )
    # 5 January is 95 days before 10 April.
    assert (row["referrals_before"], row["referrals_after"]) == (1, 2)


def test_only_the_first_enrolment_in_a_cadence_reaches_a_partner(session, now):
    program = cadence(session)
    partner = partners(session, 1)[0]
    enrol(session, program, [partner], at(1, 5), status="exited")
    enrol(session, program, [partner], at(4, 10))
    assert program_conversion(session, spring(), now).empty


def test_a_program_whose_90_days_have_not_passed_is_too_recent_to_judge(session, now):
    program = cadence(session)
    enrol(session, program, partners(session, 12), at(10, 20))
    partners(session, 5)
    autumn = Filters(Period(date(2026, 9, 1), date(2026, 12, 1)))
    row = only(program_conversion(session, autumn, now), "cadence")
    assert (row["reached"], row["measured"], row["measuring"]) == (12, 0, 12)
    assert math.isnan(row["conversion_rate"]) and math.isnan(row["lift"])
    assert row["verdict"] == TOO_RECENT


def test_a_period_without_programs_gives_an_empty_table(session, now):
    program = cadence(session)
    enrol(session, program, partners(session, 3), at(8, 1))
    table = program_conversion(session, spring(), now)
    assert table.empty and list(table.columns) == COLUMNS


@pytest.mark.parametrize(
    ("measured", "measuring", "low", "high", "expected"),
    [
        (9, 0, 0.1, 0.5, TOO_FEW),
        (12, 0, math.nan, math.nan, TOO_FEW),
        (5, 3, 0.1, 0.5, TOO_RECENT),
        (12, 0, -0.1, 0.5, NO_DIFFERENCE),
        (12, 4, 0.1, 0.5, BETTER),
        (12, 0, -0.5, -0.1, WORSE),
    ],
)
def test_the_verdict_says_what_the_interval_allows(measured, measuring, low, high, expected):
    assert verdict(measured, measuring, low, high) == expected


def test_anchors_too_far_apart_for_one_month_set_are_compared_alike_in_several_queries(
    session, now, monkeypatch
):
    from crm.analytics import outreach

    program = cadence(session)
    winter = partners(session, 3)
    enrol(session, program, winter, at(1, 10))
    referred(session, winter[0], at(2, 20))
    lunch = event(session, at(4, 15))
    attendees = partners(session, 3, partner_type="primary_care", tier="B")
    invite(session, lunch, attendees)
    referred(session, attendees[1], at(5, 10))
    others = partners(session, 4, partner_type="primary_care", tier="B")
    referred(session, others[0], at(1, 20), at(5, 2))
    referred(session, others[1], at(3, 3))
    first_half = Filters(Period(date(2026, 1, 1), date(2026, 6, 1)))
    together = program_conversion(session, first_half, now)
    monkeypatch.setattr(outreach, "_MONTH_BITS", 8)  # January and April: 3 + 4 + 3 months apart
    apart = program_conversion(session, first_half, now)
    assert len(together) == 2 and together["comparison_partners"].tolist() != [0, 0]
    assert together.equals(apart)
