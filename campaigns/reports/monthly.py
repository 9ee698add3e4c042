"""The month's report from the analytics functions: the figures the analytics pages
show, for the whole practice (no partner or referral filters). Each section states
its own period where it is not the month itself: the trend tables look back six
months, outreach needs months for referrals to follow, and dormancy is judged at
`now`. Nothing here names a patient: the figures are counts and partners."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlmodel import Session

from campaigns.reports.report import Chart, Report, Section
from crm.analytics.concentration import concentration
from crm.analytics.dormancy import at_risk
from crm.analytics.engagement import email_rates
from crm.analytics.filters import Filters, Period
from crm.analytics.funnel import funnel, lost_by_reason
from crm.analytics.monthly import referrals_by_partner_month
from crm.analytics.outreach import program_conversion
from crm.analytics.overview import headline
from crm.analytics.timing import Targets, timings
from crm.settings import Settings
from crm.vocab import PartnerType

TITLE = "Leadership report"
TREND_MONTHS = 6
TOP_PARTNERS = 25
AT_RISK = 20


def monthly_report(session: Session, settings: Settings, month: Period, now: datetime) -> Report:
    filters = Filters(period=month, zone=settings.zone)
    trend = filters.for_period(Period.last_full_months(month.end, TREND_MONTHS))
    sections = [
        _headline(session, filters),
        _referrals_by_month(session, trend),
        _top_partners(session, trend),
        _concentration(session, filters),
        *_funnel(session, filters),
        *_timing(session, settings, filters, now),
        _outreach(session, trend, now),
        _at_risk(session, filters, settings, now),
        _engagement(session, filters),
    ]
    return Report(
        title=TITLE,
        period=month,
        sections=tuple(sections),
        generated_at=now,
        app_url=settings.public_url,
    )


def _headline(session: Session, filters: Filters) -> Section:
    period = filters.period
    table = headline(session, filters).rename(
        columns={
            "metric": "figure",
            "current": period.label,
            "previous": period.previous().label,
            "last_year": period.last_year().label,
        }
    )
    return Section(
        "Headline",
        table,
        note=f"{period.label} against the month before and the same month last year.",
    )


def _referrals_by_month(session: Session, trend: Filters) -> Section:
    table = funnel(session, trend, by="month").rename(columns={"group": "month"})
    table = table[
        ["month", "received", "contacted", "scheduled", "first_visit", "lost", "overall_rate"]
    ]
    return Section(
        "Referrals by month",
        table,
        Chart("line", "month", ("received", "first_visit")),
        f"Referrals received in each month of {trend.period.label}, and how far they got.",
    )


def _top_partners(session: Session, trend: Filters) -> Section:
    table = referrals_by_partner_month(session, trend, top=TOP_PARTNERS).drop(
        columns=["partner_id"]
    )
    table["partner_type"] = table["partner_type"].map(_type_label)
    return Section(
        "Top partners by month",
        table,
        Chart("bar", "partner", ("total",)),
        f"The {TOP_PARTNERS} partners who referred most in {trend.period.label}; trend is the "
        "change in referrals per month.",
    )


def _concentration(session: Session, filters: Filters) -> Section:
    figures = concentration(session, filters)
    if figures.referrals:
        note = (
            f"The top {figures.top_count} of {figures.sources} referring partners (a fifth) sent "
            f"{(figures.top_share or 0):.0%} of the {figures.referrals} referrals."
        )
    else:
        note = "No referrals this month."
    return Section(
        "Referral concentration", figures.top, Chart("bar", "partner", ("referrals",)), note
    )


def _funnel(session: Session, filters: Filters) -> list[Section]:
    (overall,) = funnel(session, filters).to_dict("records")
    stages = pd.DataFrame(
        {
            "stage": ["Received", "Contacted", "Scheduled", "First visit"],
            "referrals": [
                overall["received"],
                overall["contacted"],
                overall["scheduled"],
                overall["first_visit"],
            ],
            "rate_from_previous_stage": [
                None,
                overall["contact_rate"],
                overall["schedule_rate"],
                overall["visit_rate"],
            ],
        }
    )
    by_type = funnel(session, filters, by="partner_type").rename(columns={"group": "partner_type"})
    lost = lost_by_reason(session, filters)
    return [
        Section(
            "Referral funnel",
            stages,
            Chart("bar", "stage", ("referrals",)),
            f"Referrals received in {filters.period.label} by the furthest stage they reached so far; "
            f"{overall['lost']} were lost.",
        ),
        Section("Funnel by partner type", by_type),
        Section("Lost referrals by reason", lost, Chart("bar", "reason", ("referrals",))),
    ]


def _timing(session: Session, settings: Settings, filters: Filters, now: datetime) -> list[Section]:
    speed = timings(session, filters, Targets.from_settings(settings), now, limit=0)
    timing, breaches = speed.time_to_stage.drop(columns=["group"]), speed.breach_counts
    return [
        Section(
            "Time to each stage",
            timing,
            Chart("bar", "stage", ("median_days", "p90_days")),
            "Days from receipt, for the referrals received this month that reached each stage.",
        ),
        Section(
            "Response targets missed",
            breaches,
            Chart("bar", "target", ("breached",)),
            "Share is of the referrals that can be judged: the stage happened or its deadline passed.",
        ),
    ]


def _outreach(session: Session, trend: Filters, now: datetime) -> Section:
    table = program_conversion(session, trend, now)
    table = table[
        [
            "program_kind",
            "program",
            "reached",
            "measured",
            "converted",
            "conversion_rate",
            "comparison_rate",
            "lift",
            "lift_low",
            "lift_high",
            "verdict",
            "measuring",
        ]
    ]
    return Section(
        "Outreach results",
        table,
        Chart("bar", "program", ("conversion_rate", "comparison_rate")),
        f"Programs that reached partners in {trend.period.label}: the share of reached partners who "
        "began referring within 90 days, against comparable partners not reached.",
    )


def _at_risk(session: Session, filters: Filters, settings: Settings, now: datetime) -> Section:
    table = at_risk(session, filters, now, settings).head(AT_RISK)
    table = table[
        [
            "partner",
            "partner_type",
            "tier",
            "owner",
            "expected",
            "recent_referrals",
            "at_stake",
            "last_touch_at",
            "in_win_back",
        ]
    ].copy()
    table["partner_type"] = table["partner_type"].map(_type_label)
    table["last_touch_at"] = [
        None if pd.isna(t) else t.astimezone(settings.zone).date() for t in table["last_touch_at"]
    ]
    return Section(
        "Partners at risk",
        table,
        Chart("bar", "partner", ("at_stake",)),
        f"The {AT_RISK} partners referring improbably less than their own habit in the last "
        f"{settings.dormancy_window_days} days, most referrals at stake first.",
    )


def _engagement(session: Session, filters: Filters) -> Section:
    table = email_rates(session, filters, "program").rename(columns={"group": "program"})
    return Section(
        "Email engagement by program",
        table,
        Chart("bar", "program", ("open_rate", "click_rate")),
        f"Emails sent in {filters.period.label}; opens and clicks come from SendGrid's events.",
    )


def _type_label(value: object) -> object:
    try:
        return PartnerType(value).label
    except ValueError:
        return value
