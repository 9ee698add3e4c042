"""The overview's own SQL pieces answer alike on both databases: a span between two
stored times groups equal spans together and gives exactly `sql.days_between`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Float, cast, func
from sqlmodel import Session, select

from crm.analytics import overview_sql, sql
from crm.models import Referral
from tests.factories import make_partner, make_referral


def test_elapsed_days_are_days_between(session: Session) -> None:
    partner = make_partner(session)
    received = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    for hours in (36, 1, 24 * 400 + 7):
        make_referral(
            session, partner, received, contacted_at=received + timedelta(hours=hours, seconds=17)
        )
    span = overview_sql.elapsed(Referral.received_at, Referral.contacted_at)
    rows = session.exec(
        select(
            cast(overview_sql.elapsed_days(span), Float),
            cast(sql.days_between(Referral.received_at, Referral.contacted_at), Float),
        )
    ).all()
    assert len(rows) == 3 and all(days == expected for days, expected in rows)
    assert sorted(days for days, _ in rows) == pytest.approx(
        [(h * 3600 + 17) / 86400 for h in (1, 36, 9607)]
    )


def test_equal_spans_group_together_and_order_by_length(session: Session) -> None:
    partner = make_partner(session)
    for start, days in (
        (datetime(2026, 1, 30, 15, tzinfo=UTC), 2),
        (datetime(2026, 3, 7, 15, tzinfo=UTC), 2),
        (datetime(2026, 3, 30, 15, tzinfo=UTC), 31),
        (datetime(2026, 5, 1, 15, tzinfo=UTC), 0.5),
    ):
        make_referral(session, partner, start, contacted_at=start + timedelta(days=days))
    span = overview_sql.elapsed(Referral.received_at, Referral.contacted_at)
    grouped = select(span.label("span"), func.count().label("n")).group_by(span).subquery()
    rows = session.exec(
        select(cast(overview_sql.elapsed_days(grouped.c.span), Float), grouped.c.n).order_by(
            grouped.c.span
        )
    ).all()
    assert [(days, n) for days, n in rows] == [(0.5, 1), (2.0, 2), (31.0, 1)]
