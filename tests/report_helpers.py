"""Small reports for the report tests: fixed tables with hand-written figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from campaigns.reports.report import Chart, Report, Section
from crm.analytics.filters import Period

OCTOBER = Period.month(2026, 10)


def referrals_by_month() -> Section:
    table = pd.DataFrame(
        {
            "month": ["2026-08", "2026-09", "2026-10"],
            "referrals": [4, 10, 5],
            "visit_rate": [0.25, 0.5, None],
        }
    )
    return Section(
        "Referrals by month",
        table,
        Chart("bar", "month", ("referrals",)),
        "Received in each month.",
    )


def top_partners() -> Section:
    table = pd.DataFrame(
        {
            "partner": ["Riverside Family Medicine", '=HYPERLINK("http://x")'],
            "referrals": [7, 2],
            "share": [0.7, 0.2],
        }
    )
    return Section("Top partners", table)


def empty_section() -> Section:
    return Section("Lost referrals", pd.DataFrame({"reason": [], "referrals": []}))


def small_report(*sections: Section) -> Report:
    chosen = sections or (referrals_by_month(), top_partners(), empty_section())
    return Report(
        "Leadership report",
        OCTOBER,
        tuple(chosen),
        generated_at=datetime(2026, 11, 2, 12, tzinfo=UTC),
        app_url="https://liaison.example.org",
    )
