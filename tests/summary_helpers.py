"""What the referral hour count tests share: the counts as stored, the counts the
referrals give, and every figure the funnel and overview pages show, read both ways."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from crm.analytics import funnel, overview
from crm.analytics.filters import Filters, Period
from crm.models import ReferralHourCount
from crm.referral_counts import KEY, hour_counts_from_referrals

NEW_YORK = ZoneInfo("America/New_York")


def stored_counts(session: Session) -> dict[tuple, tuple[int, ...]]:
    """The hour counts that count anything, by key."""
    table = ReferralHourCount.__table__
    rows = session.execute(select(table).where(table.c.received != 0)).all()
    return {_key(row[: len(KEY)]): tuple(row[len(KEY) :]) for row in rows}


def counts_from_referrals(session: Session) -> dict[tuple, tuple[int, ...]]:
    rows = session.execute(hour_counts_from_referrals(None, None)).all()
    return {_key(row[: len(KEY)]): tuple(int(v) for v in row[len(KEY) :]) for row in rows}


def _key(values) -> tuple:  # type: ignore[no-untyped-def]
    hour, *rest = values
    return (str(hour)[:13], *rest)


def page_answers(session: Session, filters: Filters, summaries: bool) -> list[pd.DataFrame]:
    """The funnel in every breakdown and the overview's headline figures."""
    tables = [funnel.funnel(session, filters, by, summaries=summaries) for by in funnel.BREAKDOWNS]
    tables.append(funnel.funnel(session, filters, summaries=summaries))
    tables.append(overview.headline(session, filters, summaries=summaries))
    return tables


LAST_12_FULL_MONTHS = Period.last_full_months(date(2026, 11, 25), 12)
