"""How concentrated referrals are, on the practice in tests/analytics_data.py and on
larger made-up spreads worked out by hand."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from crm.analytics.concentration import concentration
from crm.models import Referral
from tests.analytics_data import EMPTY, OCTOBER, at, filters, practice
from tests.factories import make_partner


def spread(session: Session, counts: list[int]) -> None:
    """Partners referring `counts[i]` times each in October 2026."""
    for count in counts:
        partner = make_partner(session)
        session.add_all(
            Referral(
                partner_id=partner.id,
                received_at=at(2026, 10, 1 + i % 28),
                status="received",
                created_at=at(2026, 10, 1),
                updated_at=at(2026, 10, 1),
            )
            for i in range(count)
        )
    session.commit()


def test_the_top_fifth_of_four_referring_partners_is_one_partner(session: Session) -> None:
    practice(session)
    # October: harbor 3, summit 2, bay 1, lakeside 1; quiet referred nothing and is not counted.
    result = concentration(session, filters())
    assert (result.sources, result.referrals, result.top_count) == (4, 7, 1)
    assert result.top_share == pytest.approx(3 / 7)


def test_the_top_fifth_is_rounded_up(session: Session) -> None:
    spread(session, [5, 4, 3, 2, 1, 1])  # 6 partners: the top 2
    result = concentration(session, filters())
    assert (result.top_count, result.top_share) == (2, pytest.approx(9 / 16))


def test_the_leading_partners_carry_the_cumulative_share(session: Session) -> None:
    practice(session)
    top = concentration(session, filters()).top
    assert top["partner"].tolist() == [
        "Harbor Primary Care",
        "Summit Orthopedics",
        "Bay Physical Therapy",
        "Lakeside School",
    ]
    assert top["referrals"].tolist() == [3, 2, 1, 1]
    assert top["cumulative_share"].tolist() == pytest.approx([3 / 7, 5 / 7, 6 / 7, 1.0])


def test_with_few_partners_the_curve_has_a_point_per_partner(session: Session) -> None:
    practice(session)
    curve = concentration(session, filters()).curve
    assert curve["partner_share"].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert curve["referral_share"].tolist() == pytest.approx([3 / 7, 5 / 7, 6 / 7, 1.0])


def test_with_many_partners_the_curve_keeps_one_point_per_percentile(session: Session) -> None:
    spread(session, [2] * 50 + [1] * 150)  # 200 partners, 250 referrals
    result = concentration(session, filters(), leading=3)
    assert len(result.curve) == 100 and len(result.top) == 3
    first, half, last = result.curve.iloc[0], result.curve.iloc[49], result.curve.iloc[-1]
    assert (first["partner_share"], first["referral_share"]) == (0.01, pytest.approx(4 / 250))
    assert (half["partner_share"], half["referral_share"]) == (0.5, pytest.approx(150 / 250))
    assert (last["partner_share"], last["referral_share"]) == (1.0, 1.0)
    assert (result.top_count, result.top_share) == (40, pytest.approx(80 / 250))


def test_a_partner_filter_narrows_the_referring_partners(session: Session) -> None:
    practice(session)
    result = concentration(session, filters(territories=("South",)))  # bay 1, lakeside 1
    assert (result.sources, result.referrals, result.top_count, result.top_share) == (2, 2, 1, 0.5)


def test_a_period_without_referrals_has_no_share(session: Session) -> None:
    practice(session)
    result = concentration(session, filters(EMPTY))
    assert (result.sources, result.referrals, result.top_count, result.top_share) == (0, 0, 0, None)
    assert result.curve.empty and result.top.empty


def test_one_partner_with_one_referral_holds_everything(session: Session) -> None:
    spread(session, [1])
    result = concentration(session, filters(OCTOBER))
    assert (result.sources, result.top_count, result.top_share) == (1, 1, 1.0)
    assert result.curve.values.tolist() == [[1.0, 1.0]]
