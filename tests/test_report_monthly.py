"""The month's report wired to the analytics: the sections in order, figures that
match a small hand-counted practice, a quiet month that still reports, and no
patient's name anywhere in the email or the workbook."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from campaigns.reports.excel import report_workbook
from campaigns.reports.html import render_report
from campaigns.reports.monthly import monthly_report
from crm.analytics.filters import Period
from crm.settings import Settings
from tests.factories import make_partner, make_patient, make_referral

SETTINGS = Settings(
    database_url="sqlite://",
    secret_key="test-secret-key",
    timezone="America/New_York",
    public_url="https://liaison.example.org",
)
OCTOBER = Period.month(2026, 10)
NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 15, 0, tzinfo=UTC)


@pytest.fixture
def practice(session):  # type: ignore[no-untyped-def]
    """Riverside: three in October (one first visit, one still open, one lost); Summit
    Ortho: one in October, contacted only; Harbor PT: one in September."""
    riverside = make_partner(session, name="Riverside Family Medicine", partner_type="primary_care")
    summit = make_partner(session, name="Summit Ortho", partner_type="orthopedics")
    harbor = make_partner(session, name="Harbor PT", partner_type="physical_therapy")
    patient = make_patient(session, first_name="Zebulon", last_name="Quixote")
    make_referral(
        session,
        riverside,
        _at(10, 5),
        patient_id=patient.id,
        status="completed",
        contacted_at=_at(10, 5) + DAY,
        scheduled_at=_at(10, 5) + 2 * DAY,
        first_visit_at=_at(10, 5) + 6 * DAY,
    )
    make_referral(session, riverside, _at(10, 20))
    make_referral(session, riverside, _at(10, 12), status="lost", lost_reason="Patient declined")
    make_referral(session, summit, _at(10, 8), status="contacted", contacted_at=_at(10, 9))
    make_referral(session, harbor, _at(9, 14))


def _sections(report):  # type: ignore[no-untyped-def]
    return {s.title: s for s in report.sections}


def test_the_sections_in_order(session, practice):
    report = monthly_report(session, SETTINGS, OCTOBER, NOW)
    assert [s.title for s in report.sections] == [
        "Headline",
        "Referrals by month",
        "Top partners by month",
        "Referral concentration",
        "Referral funnel",
        "Funnel by partner type",
        "Lost referrals by reason",
        "Time to each stage",
        "Response targets missed",
        "Outreach results",
        "Partners at risk",
        "Email engagement by program",
    ]
    assert report.period == OCTOBER and report.app_url == "https://liaison.example.org"


def test_the_headline_compares_october_with_september_and_last_october(session, practice):
    table = _sections(monthly_report(session, SETTINGS, OCTOBER, NOW))["Headline"].table
    referrals = table[table["figure"] == "Referrals"].iloc[0]
    assert (referrals["October 2026"], referrals["September 2026"], referrals["October 2025"]) == (
        4,
        1,
        0,
    )
    assert referrals["change_vs_previous"] == pytest.approx(3.0)


def test_referrals_by_month_cover_the_six_months_to_october(session, practice):
    table = _sections(monthly_report(session, SETTINGS, OCTOBER, NOW))["Referrals by month"].table
    assert list(table["month"]) == [
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    assert list(table["received"]) == [0, 0, 0, 0, 1, 4]
    assert list(table["first_visit"]) == [0, 0, 0, 0, 0, 1]


def test_top_partners_lead_with_the_one_that_referred_most(session, practice):
    table = _sections(monthly_report(session, SETTINGS, OCTOBER, NOW))[
        "Top partners by month"
    ].table
    assert list(table.columns)[:3] == ["partner", "partner_type", "owner"]
    assert (table.iloc[0]["partner"], table.iloc[0]["partner_type"], table.iloc[0]["total"]) == (
        "Riverside Family Medicine",
        "Primary care",
        3,
    )
    assert set(table["partner"][1:]) == {"Summit Ortho", "Harbor PT"}


def test_concentration_says_who_sent_most_of_the_month(session, practice):
    section = _sections(monthly_report(session, SETTINGS, OCTOBER, NOW))["Referral concentration"]
    assert (
        section.note == "The top 1 of 2 referring partners (a fifth) sent 75% of the 4 referrals."
    )
    assert list(section.table["referrals"]) == [3, 1]


def test_the_funnel_counts_each_stage_reached(session, practice):
    sections = _sections(monthly_report(session, SETTINGS, OCTOBER, NOW))
    stages = sections["Referral funnel"].table
    assert list(stages["referrals"]) == [4, 2, 1, 1]
    assert list(stages["rate_from_previous_stage"][1:]) == [0.5, 0.5, 1.0]
    assert "1 were lost" in sections["Referral funnel"].note
    lost = sections["Lost referrals by reason"].table
    assert list(zip(lost["reason"], lost["referrals"])) == [("Patient declined", 1)]


def test_a_quiet_month_still_reports_with_empty_sections(session, practice):
    report = monthly_report(session, SETTINGS, Period.month(2026, 3), NOW)
    sections = _sections(report)
    assert list(sections["Referral funnel"].table["referrals"]) == [0, 0, 0, 0]
    assert sections["Referral concentration"].note == "No referrals this month."
    assert sections["Top partners by month"].table.empty
    assert "Nothing to show for this period." in render_report(report, "Summit").html


def test_no_patient_name_reaches_the_email_or_the_workbook(session, practice):
    report = monthly_report(session, SETTINGS, OCTOBER, NOW)
    email = render_report(report, "Summit")
    book = load_workbook(io.BytesIO(report_workbook(report)))
    cells = " ".join(str(v) for sheet in book.worksheets for row in sheet.values for v in row)
    for text in (email.html, email.text, cells):
        assert "Riverside Family Medicine" in text
        assert "Zebulon" not in text and "Quixote" not in text
