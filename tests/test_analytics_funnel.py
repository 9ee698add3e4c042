"""The referral funnel of the fixed data set in tests/funnel_data.py, worked out by hand:
October has six referrals (r1-r6); four were contacted, two scheduled and seen, two lost."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from crm.analytics.funnel import BREAKDOWNS, funnel, lost_by_reason, overall
from tests.factories import make_partner, make_referral
from tests.funnel_data import AUGUST, AUTUMN, OCTOBER, filters, funnel_data, utc

COUNTS = ["group", "received", "contacted", "scheduled", "first_visit", "lost"]
RATES = ["contact_rate", "schedule_rate", "visit_rate", "overall_rate"]


def counts(table) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [tuple(row) for row in table[COUNTS].itertuples(index=False)]


def rates(table) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [
        tuple(None if v is None else round(v, 4) for v in row)
        for row in table[RATES].itertuples(index=False)
    ]


def test_the_whole_funnel_counts_each_stage_reached_by_referrals_received_in_the_period(
    session: Session,
) -> None:
    funnel_data(session)
    table = funnel(session, filters())
    assert counts(table) == [("All", 6, 4, 2, 2, 2)]
    assert rates(table) == [(0.6667, 0.5, 1.0, 0.3333)]


def test_an_empty_period_gives_zeros_and_no_rates(session: Session) -> None:
    funnel_data(session)
    table = funnel(session, filters(AUGUST))
    assert counts(table) == [("All", 0, 0, 0, 0, 0)]
    assert rates(table) == [(None, None, None, None)]


def test_by_partner_a_partner_with_one_open_referral_has_no_rate_past_its_first_stage(
    session: Session,
) -> None:
    funnel_data(session)
    table = funnel(session, filters(), by="partner")
    assert counts(table) == [
        ("Birch Physical Therapy", 3, 2, 1, 1, 2),
        ("Alder Family Medicine", 2, 2, 1, 1, 0),
        ("Cedar Orthopedics", 1, 0, 0, 0, 0),
    ]
    assert rates(table) == [
        (0.6667, 0.5, 1.0, 0.3333),
        (1.0, 0.5, 1.0, 0.5),
        (0.0, None, None, 0.0),
    ]


def test_by_partner_type_shows_the_types_labels(session: Session) -> None:
    funnel_data(session)
    table = funnel(session, filters(), by="partner_type")
    assert counts(table) == [
        ("Physical therapy", 3, 2, 1, 1, 2),
        ("Primary care", 2, 2, 1, 1, 0),
        ("Orthopedics", 1, 0, 0, 0, 0),
    ]


def test_by_location_names_referrals_without_one(session: Session) -> None:
    funnel_data(session)
    table = funnel(session, filters(), by="location")
    assert counts(table) == [
        ("Main Street", 3, 2, 1, 1, 0),
        ("Riverside", 2, 2, 1, 1, 1),
        ("(no location)", 1, 0, 0, 0, 1),
    ]


def test_by_month_lists_every_month_of_the_period_including_empty_ones(session: Session) -> None:
    funnel_data(session)
    table = funnel(session, filters(AUTUMN), by="month")
    assert counts(table) == [
        ("2026-09", 0, 0, 0, 0, 0),
        ("2026-10", 6, 4, 2, 2, 2),
        ("2026-11", 1, 0, 0, 0, 0),
    ]


def test_a_referral_late_on_the_last_evening_of_the_month_counts_in_that_month(
    session: Session,
) -> None:
    make_referral(
        session, make_partner(session), utc(11, 1, 2, 30)
    )  # 22:30 on 31 October in New York
    table = funnel(session, filters(AUTUMN), by="month")
    assert list(table["received"]) == [0, 1, 0]


def test_a_later_stage_does_not_count_an_earlier_one_nobody_recorded(session: Session) -> None:
    make_referral(
        session,
        make_partner(session),
        utc(10, 5, 14),
        scheduled_at=utc(10, 6, 14),
        status="scheduled",
    )
    table = funnel(session, filters())
    assert counts(table) == [("All", 1, 0, 1, 0, 0)]
    assert rates(table) == [(0.0, None, 0.0, 0.0)]


def test_partner_filters_narrow_the_funnel(session: Session) -> None:
    funnel_data(session)
    assert counts(funnel(session, filters(territories=("North",)))) == [("All", 3, 2, 1, 1, 0)]
    assert counts(funnel(session, filters(partner_types=("physical_therapy",)))) == [
        ("All", 3, 2, 1, 1, 2)
    ]


def test_the_location_filter_narrows_the_funnel(session: Session) -> None:
    data = funnel_data(session)
    assert counts(funnel(session, filters(location_ids=(data.riverside.id,)))) == [
        ("All", 2, 2, 1, 1, 1)
    ]


def test_an_unknown_breakdown_is_refused(session: Session) -> None:
    with pytest.raises(ValueError):
        funnel(session, filters(), by="liaison")


def test_lost_referrals_by_reason_name_a_blank_reason(session: Session) -> None:
    funnel_data(session)
    table = lost_by_reason(session, filters())
    assert [tuple(r) for r in table.itertuples(index=False)] == [
        ("(no reason given)", 1, 0.5),
        ("Chose another clinic", 1, 0.5),
    ]


def test_lost_reasons_are_counted_most_common_first(session: Session) -> None:
    partner = make_partner(session)
    for reason in ("Insurance", "Insurance", "Insurance", "Too far"):
        make_referral(session, partner, utc(10, 7, 14), status="lost", lost_reason=reason)
    table = lost_by_reason(session, filters(OCTOBER))
    assert list(table["reason"]) == ["Insurance", "Too far"]
    assert list(table["referrals"]) == [3, 1]
    assert list(table["share"]) == [0.75, 0.25]


def test_no_lost_referrals_gives_an_empty_table(session: Session) -> None:
    funnel_data(session)
    assert lost_by_reason(session, filters(AUGUST)).empty


@pytest.mark.parametrize("by", BREAKDOWNS)
@pytest.mark.parametrize("period", [OCTOBER, AUTUMN, AUGUST])
def test_the_whole_funnel_from_any_breakdown_is_the_whole_funnel(
    session: Session, by: str, period
) -> None:  # type: ignore[no-untyped-def]
    funnel_data(session)
    whole = funnel(session, filters(period))
    derived = overall(funnel(session, filters(period), by=by))
    assert derived.to_dict("records") == whole.to_dict("records")
    assert list(derived.dtypes) == list(whole.dtypes)
