"""A small sports calendar for seasonal tests: fall 2027 football and soccer, whose
pre-season sends fall on Tuesday 27 July 2027 (three weeks before 17 August)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from campaigns.seasonal import generate_year, save_season
from crm.models import SeasonalSend
from crm.settings import Settings
from tests.conftest import NOW

YEAR = 2027
PRE_DAY = date(2027, 7, 27)
ON_PRE_DAY = datetime(2027, 7, 27, 14, 0, tzinfo=UTC)  # 10:00 in Boston
SETTINGS = Settings(
    _env_file=None,
    secret_key="test-secret",
    timezone="America/New_York",
    practice_name="Summit Sports Medicine",
    public_url="https://liaison.example.org",
)


def fall_calendar(session, actor, sports=("football", "soccer")):  # type: ignore[no-untyped-def]
    for n, sport in enumerate(sports):
        save_season(
            session,
            actor,
            year=YEAR,
            sport=sport,
            season="fall",
            starts_on=date(2027, 8, 17 + n),
            ends_on=date(2027, 11, 14 - n),
            now=NOW,
        )
    generate_year(session, actor, YEAR, NOW)
    session.commit()


def send_of(session, sport, phase):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    return session.execute(
        select(SeasonalSend).where(
            SeasonalSend.year == YEAR, SeasonalSend.sport == sport, SeasonalSend.phase == phase
        )
    ).scalar_one()
