"""Dormancy alerts: each partner judged against its own usual rate, with answers worked
out by hand. W = 90 days, B = 365 days, α = 0.05; the windows end at NOW."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest

from campaigns.cadences.enrolment import enrol
from crm.analytics.dormancy import COLUMNS, at_risk, poisson_cdf
from tests.conftest import NOW
from tests.dormancy_helpers import (
    BASELINE_START,
    SETTINGS,
    WINDOW_START,
    everyone,
    partner,
    spread,
    steady,
    win_back,
)
from tests.factories import make_referral, make_touch, make_user

# 24 referrals a year means 24·90/365 expected in 90 days.
BUSY = 24 * 90 / 365  # 5.9178...


def flagged(session, filters=None):  # type: ignore[no-untyped-def]
    return at_risk(session, filters or everyone(), NOW, SETTINGS)


def test_the_poisson_tail_is_the_sum_of_its_terms():
    lam = BUSY
    by_hand = math.exp(-lam) * (1 + lam + lam**2 / 2 + lam**3 / 6 + lam**4 / 24 + lam**5 / 120)
    assert poisson_cdf(5, lam) == pytest.approx(by_hand, rel=1e-12)
    assert poisson_cdf(0, lam) == pytest.approx(math.exp(-lam), rel=1e-12)


def test_no_referrals_at_all_flags_no_one(session):
    partner(session)
    table = flagged(session)
    assert table.empty and list(table.columns) == COLUMNS


def test_a_busy_partner_gone_silent_is_flagged_with_its_expected_count_and_p_value(session):
    p = steady(session, baseline=24, recent=0)
    [row] = flagged(session).to_dict("records")
    assert row["partner_id"] == p.id
    assert (row["baseline_referrals"], row["recent_referrals"]) == (24, 0)
    assert row["expected"] == pytest.approx(5.917808, abs=1e-6)
    assert row["at_stake"] == pytest.approx(5.917808, abs=1e-6)
    assert row["p_value"] == pytest.approx(0.002691, abs=1e-6)  # e^-5.9178


def test_a_steady_partner_with_twelve_a_year_gone_silent_for_90_days_is_not_yet_significant(
    session,
):
    # λ = 12·90/365 = 2.9589; P(X = 0) = e^-2.9589 = 0.0519, just above 0.05.
    steady(session, baseline=12, recent=0)
    assert flagged(session).empty
    assert poisson_cdf(0, 12 * 90 / 365) == pytest.approx(0.051875, abs=1e-6)


def test_a_busy_partner_still_sending_some_is_not_flagged(session):
    # λ = 5.9178, k = 5: P(X ≤ 5) = 0.4590.
    steady(session, baseline=24, recent=5)
    assert flagged(session).empty
    assert poisson_cdf(5, BUSY) == pytest.approx(0.4590, abs=1e-4)


def test_a_partner_with_one_referral_ever_is_not_flagged(session):
    # λ = 90/365 = 0.247; P(X = 0) = 0.78.
    steady(session, baseline=1, recent=0)
    assert flagged(session).empty


def test_referrals_still_open_count_like_any_other(session):
    steady(session, baseline=24, recent=0, name="Open ones")
    table = flagged(session)
    assert list(table["baseline_referrals"]) == [24]  # all 24 are still 'received'


def test_do_not_contact_and_archived_partners_are_left_out(session):
    steady(session, baseline=24, recent=0, status="do_not_contact")
    steady(session, baseline=24, recent=0, archived_at=NOW - timedelta(days=3))
    assert flagged(session).empty


def test_a_young_partner_is_judged_on_the_history_it_has(session):
    # Created 200 days ago: its baseline is the 110 days up to the window's start.
    # λ = 6·90/110 = 4.909; P(X = 0) = e^-4.909 = 0.00738.
    young = partner(session, created_at=NOW - timedelta(days=200))
    spread(session, young, 6, NOW - timedelta(days=200), WINDOW_START)
    [row] = flagged(session).to_dict("records")
    assert row["baseline_days"] == pytest.approx(110)
    assert row["expected"] == pytest.approx(4.909091, abs=1e-6)
    assert row["p_value"] == pytest.approx(0.007379, abs=1e-6)


def test_an_imported_partner_with_older_referrals_gets_the_whole_baseline(session):
    # Created last week by an import, but it referred 500 days ago: B stays 365, so
    # λ = 6·90/365 = 1.479 and P(X = 0) = 0.228.
    imported = partner(session, created_at=NOW - timedelta(days=7))
    make_referral(session, imported, NOW - timedelta(days=500))
    spread(session, imported, 6, NOW - timedelta(days=200), WINDOW_START)
    assert flagged(session).empty


def test_a_partner_younger_than_the_window_has_no_baseline(session):
    newcomer = partner(session, created_at=NOW - timedelta(days=30))
    spread(session, newcomer, 3, NOW - timedelta(days=30), NOW - timedelta(days=20))
    assert flagged(session).empty


def test_partners_are_ranked_by_referrals_at_stake(session):
    young = partner(session, created_at=NOW - timedelta(days=200), name="Young")
    spread(session, young, 6, NOW - timedelta(days=200), WINDOW_START)  # 4.909 at stake
    steady(session, baseline=24, recent=0, name="Busy")  # 5.918 at stake
    steady(session, baseline=48, recent=3, name="Busier")  # λ = 11.836, 8.836 at stake
    table = flagged(session)
    assert list(table["partner"]) == ["Busier", "Busy", "Young"]
    assert list(table["at_stake"].round(3)) == [8.836, 5.918, 4.909]


def test_the_row_names_the_owner_last_touch_and_win_back_membership(session, marketer):
    owner = make_user(session, name="Casey Morgan")
    p = steady(
        session, baseline=24, recent=0, owner_id=owner.id, tier="A", partner_type="orthopedics"
    )
    make_touch(session, p, NOW - timedelta(days=40))
    make_touch(session, p, NOW - timedelta(days=120))
    cadence = win_back(session, marketer)
    enrol(session, marketer, cadence.id, [p.id], now=NOW)
    session.commit()
    [row] = flagged(session).to_dict("records")
    assert (row["owner_id"], row["owner"], row["tier"], row["partner_type"]) == (
        owner.id,
        "Casey Morgan",
        "A",
        "orthopedics",
    )
    assert row["last_touch_at"] == NOW - timedelta(days=40)
    assert row["in_win_back"] is True


def test_a_partner_never_touched_and_in_no_win_back_says_so(session):
    steady(session, baseline=24, recent=0)
    [row] = flagged(session).to_dict("records")
    assert row["last_touch_at"] is None and row["in_win_back"] is False


def test_partner_filters_choose_the_partners(session):
    steady(session, baseline=24, recent=0, partner_type="school", name="School")
    steady(session, baseline=24, recent=0, partner_type="orthopedics", name="Ortho")
    table = flagged(session, replace(everyone(), partner_types=("school",)))
    assert list(table["partner"]) == ["School"]


def test_service_line_narrows_the_referrals_counted(session):
    # 24 knee referrals last year, then 5 shoulder ones: overall steady, but its knee
    # referrals stopped.
    p = partner(session, name="Knees")
    spread(session, p, 24, BASELINE_START, WINDOW_START, service_line="knee")
    spread(session, p, 5, WINDOW_START, NOW, service_line="shoulder")
    assert flagged(session).empty
    [row] = flagged(session, replace(everyone(), service_lines=("knee",))).to_dict("records")
    assert (row["baseline_referrals"], row["recent_referrals"]) == (24, 0)


def test_a_referral_on_the_window_start_is_a_recent_one(session):
    # 24 in the baseline, one exactly at the window's start: k = 1,
    # P(X ≤ 1) = e^-5.918·(1 + 5.918) = 0.01862.
    p = steady(session, baseline=24, recent=0)
    make_referral(session, p, WINDOW_START)
    [row] = flagged(session).to_dict("records")
    assert row["recent_referrals"] == 1
    assert row["p_value"] == pytest.approx(0.018616, abs=1e-6)
