"""Referrals per partner per month, August to October 2026 on the practice in
tests/analytics_data.py, with trends worked out by hand: months x = 0, 1, 2, so the
slope is (third month - first month) / 2."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from crm.analytics.filters import Period
from crm.analytics.monthly import heatmap_rows, referrals_by_partner_month
from tests.analytics_data import AUG_TO_OCT, EMPTY, at, filters, practice
from tests.factories import make_partner, make_referral

MONTHS = ["2026-08", "2026-09", "2026-10"]


def test_partners_are_ranked_by_referrals_with_a_column_per_month(session: Session) -> None:
    practice(session)
    table = referrals_by_partner_month(session, filters(AUG_TO_OCT))
    assert list(table.columns) == [
        "partner_id",
        "partner",
        "partner_type",
        "owner",
        *MONTHS,
        "total",
        "trend",
    ]
    assert table[["partner", *MONTHS, "total"]].values.tolist() == [
        ["Harbor Primary Care", 1, 2, 3, 6],
        ["Bay Physical Therapy", 2, 1, 1, 4],
        ["Summit Orthopedics", 1, 0, 2, 3],
        ["Lakeside School", 0, 0, 1, 1],
    ]


def test_each_row_names_the_partner_type_and_liaison(session: Session) -> None:
    p = practice(session)
    table = referrals_by_partner_month(session, filters(AUG_TO_OCT)).set_index("partner_id")
    assert table.loc[p.harbor.id, ["partner_type", "owner"]].tolist() == [
        "primary_care",
        "Ana Ortiz",
    ]
    assert table.loc[p.lakeside.id, "owner"] == ""


def test_the_trend_is_the_least_squares_slope_in_referrals_per_month(session: Session) -> None:
    practice(session)
    table = referrals_by_partner_month(session, filters(AUG_TO_OCT))
    assert dict(zip(table["partner"], table["trend"])) == {
        "Harbor Primary Care": 1.0,
        "Bay Physical Therapy": -0.5,
        "Summit Orthopedics": 0.5,
        "Lakeside School": 0.5,
    }


def test_only_the_top_partners_come_back(session: Session) -> None:
    practice(session)
    table = referrals_by_partner_month(session, filters(AUG_TO_OCT), top=2)
    assert list(table["partner"]) == ["Harbor Primary Care", "Bay Physical Therapy"]


def test_partners_tied_on_referrals_are_listed_oldest_first(session: Session) -> None:
    practice(session)
    table = referrals_by_partner_month(
        session, filters()
    )  # October: harbor 3, summit 2, bay 1, lakeside 1
    assert list(table["partner"]) == [
        "Harbor Primary Care",
        "Summit Orthopedics",
        "Bay Physical Therapy",
        "Lakeside School",
    ]


def test_a_single_month_has_no_trend(session: Session) -> None:
    practice(session)
    table = referrals_by_partner_month(session, filters())
    assert table["trend"].isna().all()


def test_the_filters_narrow_the_referrals_counted(session: Session) -> None:
    p = practice(session)
    table = referrals_by_partner_month(session, filters(AUG_TO_OCT, location_ids=(p.west.id,)))
    assert table[["partner", *MONTHS, "total"]].values.tolist() == [
        ["Summit Orthopedics", 1, 0, 1, 2],
        ["Harbor Primary Care", 0, 0, 1, 1],
        ["Bay Physical Therapy", 0, 1, 0, 1],
    ]


def test_a_month_with_no_referrals_at_all_is_still_a_column(session: Session) -> None:
    practice(session)
    table = referrals_by_partner_month(
        session, filters(Period(date(2026, 9, 1), date(2026, 12, 1)), partner_types=("school",))
    )
    assert table[["partner", "2026-09", "2026-10", "2026-11", "total"]].values.tolist() == [
        ["Lakeside School", 0, 1, 0, 1]
    ]


def test_an_empty_period_has_no_rows(session: Session) -> None:
    practice(session)
    table = referrals_by_partner_month(session, filters(EMPTY))
    assert table.empty and list(table.columns)[-3:] == ["2024-01", "total", "trend"]


def test_the_heat_map_has_a_cell_per_partner_and_month(session: Session) -> None:
    practice(session)
    cells = heatmap_rows(referrals_by_partner_month(session, filters(AUG_TO_OCT), top=2))
    assert sorted(
        cells[["partner", "month", "referrals"]].itertuples(index=False, name=None)
    ) == sorted(
        [
            ("Harbor Primary Care", "2026-08", 1),
            ("Harbor Primary Care", "2026-09", 2),
            ("Harbor Primary Care", "2026-10", 3),
            ("Bay Physical Therapy", "2026-08", 2),
            ("Bay Physical Therapy", "2026-09", 1),
            ("Bay Physical Therapy", "2026-10", 1),
        ]
    )


def test_a_referral_late_on_the_last_evening_of_a_month_counts_in_that_month(
    session: Session,
) -> None:
    partner = make_partner(session, name="Night Owl Clinic")
    make_referral(session, partner, at(2026, 9, 1, hour=2))  # 22:00 on August 31 in Boston
    table = referrals_by_partner_month(session, filters(AUG_TO_OCT))
    assert table[[*MONTHS, "total", "trend"]].values.tolist() == [[1, 0, 0, 1, -0.5]]
