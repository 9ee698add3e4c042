"""The headline figures of the overview, worked out by hand on the practice in
tests/analytics_data.py: October 2026 against September 2026 and October 2025."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlmodel import Session

from crm.analytics.filters import Period
from crm.analytics.overview import METRICS, headline
from tests.analytics_data import EMPTY, filters, practice


def figures(table: pd.DataFrame, metric: str) -> tuple:
    row = table.set_index("metric").loc[metric]
    return row["current"], row["previous"], row["last_year"]


@pytest.fixture
def october(session: Session) -> pd.DataFrame:
    practice(session)
    return headline(session, filters())


def test_the_figures_come_in_the_order_leadership_reads_them(october: pd.DataFrame) -> None:
    assert list(october["metric"]) == list(METRICS)
    assert list(october.columns) == [
        "metric",
        "current",
        "previous",
        "last_year",
        "change_vs_previous",
        "change_vs_last_year",
    ]


def test_referrals_count_those_received_in_each_period(october: pd.DataFrame) -> None:
    # October includes harbor's referral at 22:00 on Oct 31 in Boston (already Nov 1 in UTC).
    assert figures(october, "Referrals") == (7, 3, 2)


def test_first_visits_count_by_the_visit_not_the_referral(october: pd.DataFrame) -> None:
    # Oct 01 (referred in September), Oct 06, Oct 30; summit's Oct 07 referral was seen in November.
    assert figures(october, "Completed first visits") == (3, 2, 1)


def test_active_sources_are_partners_with_a_referral_in_the_period(october: pd.DataFrame) -> None:
    assert figures(october, "Active referral sources") == (4, 2, 2)


def test_a_new_source_is_a_partner_whose_first_referral_falls_in_the_period(
    october: pd.DataFrame,
) -> None:
    # Lakeside's only referral is in October; harbor and bay first referred in October 2025.
    assert figures(october, "New referral sources") == (1, 0, 2)


def test_dormancy_counts_moves_to_dormant_only(october: pd.DataFrame) -> None:
    assert figures(october, "Partners gone dormant") == (1, 0, 1)


def test_touches_count_those_made_in_the_period(october: pd.DataFrame) -> None:
    assert figures(october, "Touches") == (4, 1, 0)


def test_median_days_to_first_appointment_leaves_open_referrals_out(october: pd.DataFrame) -> None:
    # October visits took 14, 4 and 10 days; September 15 and 7; October 2025 took 5.
    assert figures(october, "Median days to first appointment") == (10.0, 11.0, 5.0)


def test_changes_are_fractions_of_the_earlier_figure(october: pd.DataFrame) -> None:
    row = october.set_index("metric").loc["Referrals"]
    assert row["change_vs_previous"] == pytest.approx(4 / 3)
    assert row["change_vs_last_year"] == pytest.approx(2.5)
    median = october.set_index("metric").loc["Median days to first appointment"]
    assert median["change_vs_previous"] == pytest.approx(-1 / 11)


def test_there_is_no_change_against_nothing(october: pd.DataFrame) -> None:
    table = october.set_index("metric")
    assert table.loc["New referral sources", "change_vs_previous"] is None
    assert table.loc["Touches", "change_vs_last_year"] is None
    assert table.loc["Partners gone dormant", "change_vs_last_year"] == 0.0


def test_a_partner_filter_narrows_every_figure(session: Session) -> None:
    practice(session)
    table = headline(session, filters(partner_types=("primary_care",)))  # harbor only
    assert [figures(table, m) for m in METRICS] == [
        (3, 2, 1),
        (2, 1, 1),
        (1, 1, 1),
        (0, 0, 1),
        (0, 0, 0),
        (2, 0, 0),
        (9.0, 7.0, 5.0),
    ]


def test_a_liaison_filter_keeps_the_partners_they_own(session: Session) -> None:
    p = practice(session)
    table = headline(session, filters(owner_ids=(p.ana.id,)))  # harbor and quiet
    assert figures(table, "Referrals") == (3, 2, 1)
    assert figures(table, "Partners gone dormant") == (1, 0, 0)
    assert figures(table, "Touches") == (3, 0, 0)


def test_a_service_line_narrows_the_referral_figures_only(session: Session) -> None:
    practice(session)
    table = headline(session, filters(service_lines=("knee",)))
    assert figures(table, "Referrals") == (5, 2, 2)
    assert figures(table, "Active referral sources") == (4, 1, 2)
    assert figures(table, "Touches") == (4, 1, 0)
    assert figures(table, "Partners gone dormant") == (1, 0, 1)


def test_with_a_service_line_a_new_source_is_new_to_that_service_line(session: Session) -> None:
    practice(session)
    # Summit referred a shoulder in August; its first knee referral is in October.
    assert figures(headline(session, filters(service_lines=("knee",))), "New referral sources") == (
        2,
        0,
        2,
    )


def test_a_location_narrows_the_referral_figures(session: Session) -> None:
    p = practice(session)
    table = headline(session, filters(location_ids=(p.west.id,)))
    assert figures(table, "Referrals") == (2, 1, 0)
    assert figures(table, "Completed first visits") == (0, 0, 0)


def test_an_empty_period_has_zeros_and_no_median(session: Session) -> None:
    practice(session)
    table = headline(session, filters(EMPTY))
    assert [figures(table, m) for m in METRICS[:-1]] == [(0, 0, 0)] * 6
    assert figures(table, "Median days to first appointment") == (None, None, None)
    assert table["change_vs_previous"].isna().all() and table["change_vs_last_year"].isna().all()


@pytest.mark.parametrize(
    "period",
    [
        Period(date(2025, 11, 1), date(2026, 11, 1)),  # last year is the period before
        Period(date(2025, 9, 1), date(2026, 11, 1)),  # overlaps last year
        Period(date(2026, 8, 20), date(2026, 10, 9)),
    ],
)  # days, not months
@pytest.mark.parametrize(
    "narrowing", [{}, {"partner_types": ("primary_care",)}, {"service_lines": ("knee",)}]
)
def test_the_earlier_columns_are_the_figures_of_those_periods(
    session: Session, period: Period, narrowing: dict
) -> None:
    practice(session)
    table = headline(session, filters(period, **narrowing))
    for column, earlier in (("previous", period.previous()), ("last_year", period.last_year())):
        alone = headline(session, filters(earlier, **narrowing))
        assert list(table[column]) == list(alone["current"]), column
