"""The practice's sports calendar: US school defaults, then a marketer's edits."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from campaigns.seasonal import SeasonError, add_defaults, remove_season, save_season, seasons_of
from crm.access import PermissionDenied
from crm.models import AuditLog
from tests.conftest import NOW


def _season_of(session, sport, year=2026):  # type: ignore[no-untyped-def]
    return next(s for s in seasons_of(session, year) if s.sport == sport)


def test_defaults_follow_us_school_seasons(session, marketer):
    add_defaults(session, marketer, 2026, NOW)
    by_season = {}
    for row in seasons_of(session, 2026):
        by_season.setdefault(row.season, set()).add(row.sport)
    assert by_season == {
        "fall": {"football", "soccer", "volleyball", "cross country"},
        "winter": {"basketball", "wrestling", "ice hockey", "swimming"},
        "spring": {"baseball", "softball", "track and field", "lacrosse", "tennis"},
    }


def test_the_winter_season_runs_into_the_next_year(session, marketer):
    add_defaults(session, marketer, 2026, NOW)
    basketball = _season_of(session, "basketball")
    assert (basketball.starts_on.year, basketball.ends_on.year) == (2026, 2027)


def test_adding_defaults_again_keeps_a_marketers_dates(session, marketer):
    add_defaults(session, marketer, 2026, NOW)
    save_season(
        session,
        marketer,
        year=2026,
        sport="football",
        season="fall",
        starts_on=date(2026, 8, 3),
        ends_on=date(2026, 11, 20),
        now=NOW,
    )
    assert add_defaults(session, marketer, 2026, NOW) == 0
    assert _season_of(session, "football").starts_on == date(2026, 8, 3)


def test_a_change_of_dates_is_audited(session, marketer):
    add_defaults(session, marketer, 2026, NOW)
    row = save_season(
        session,
        marketer,
        year=2026,
        sport="Football ",
        season="fall",
        starts_on=date(2026, 8, 3),
        ends_on=date(2026, 11, 14),
        now=NOW,
    )
    session.commit()
    entry = session.execute(
        select(AuditLog).where(
            AuditLog.entity == "sport_season",
            AuditLog.entity_id == row.id,
            AuditLog.action == "update",
        )
    ).scalar_one()
    assert '"starts_on": ["2026-08-17", "2026-08-03"]' in entry.changes


def test_a_marketer_can_add_a_sport_of_their_own(session, marketer):
    save_season(
        session,
        marketer,
        year=2026,
        sport="Field Hockey",
        season="fall",
        starts_on=date(2026, 8, 20),
        ends_on=date(2026, 11, 1),
        now=NOW,
    )
    assert [s.sport for s in seasons_of(session, 2026)] == ["field hockey"]


def test_a_season_must_end_after_it_starts(session, marketer):
    with pytest.raises(SeasonError, match="end after it starts"):
        save_season(
            session,
            marketer,
            year=2026,
            sport="football",
            season="fall",
            starts_on=date(2026, 8, 17),
            ends_on=date(2026, 8, 1),
            now=NOW,
        )


def test_a_viewer_cannot_edit_the_calendar(session, viewer):
    with pytest.raises(PermissionDenied):
        add_defaults(session, viewer, 2026, NOW)


def test_a_sport_can_be_removed(session, marketer):
    add_defaults(session, marketer, 2026, NOW)
    remove_season(session, marketer, _season_of(session, "tennis").id, NOW)
    assert "tennis" not in {s.sport for s in seasons_of(session, 2026)}
