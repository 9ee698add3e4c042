"""A year's seasonal sends: drafted from the sports calendar, approved by a marketer,
and shown on the touchpoint calendar until they are enqueued."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns.calendar import PLANNED, calendar
from campaigns.seasonal import (
    SendError,
    approve,
    approve_season,
    generate_year,
    next_year_to_plan,
    save_season,
    sends_of,
    shown_status,
    withdraw,
)
from crm.access import PermissionDenied
from tests.conftest import NOW
from tests.seasonal_helpers import ON_PRE_DAY, PRE_DAY, SETTINGS, YEAR, fall_calendar, send_of


def test_every_sport_gets_a_draft_per_phase(session, marketer):
    fall_calendar(session, marketer)
    assert sorted((s.sport, s.phase, s.status) for s in sends_of(session, YEAR)) == [
        ("football", "mid", "draft"),
        ("football", "post", "draft"),
        ("football", "pre", "draft"),
        ("soccer", "mid", "draft"),
        ("soccer", "post", "draft"),
        ("soccer", "pre", "draft"),
    ]


def test_pre_season_sends_go_three_weeks_before_the_seasons_earliest_start(session, marketer):
    fall_calendar(session, marketer)  # football starts 17 August, soccer the 18th
    assert {send_of(session, sport, "pre").send_on for sport in ("football", "soccer")} == {PRE_DAY}


def test_mid_season_is_halfway_through_the_season(session, marketer):
    fall_calendar(session, marketer)  # 17 August to 14 November
    assert send_of(session, "soccer", "mid").send_on == date(2027, 9, 30)


def test_post_season_is_three_days_after_its_latest_end(session, marketer):
    fall_calendar(session, marketer)  # football ends 14 November, soccer the 13th
    assert send_of(session, "soccer", "post").send_on == date(2027, 11, 17)


def test_generating_again_moves_drafts_when_the_calendar_changes(session, marketer):
    fall_calendar(session, marketer)
    save_season(
        session,
        marketer,
        year=YEAR,
        sport="football",
        season="fall",
        starts_on=date(2027, 8, 10),
        ends_on=date(2027, 11, 14),
        now=NOW,
    )
    report = generate_year(session, marketer, YEAR, NOW)
    assert (report.created, send_of(session, "soccer", "pre").send_on) == (0, date(2027, 7, 20))


def test_generating_again_leaves_an_approved_send_on_its_day(session, marketer):
    fall_calendar(session, marketer)
    approve(session, marketer, [send_of(session, "football", "pre").id], NOW, zone=SETTINGS.zone)
    save_season(
        session,
        marketer,
        year=YEAR,
        sport="football",
        season="fall",
        starts_on=date(2027, 8, 10),
        ends_on=date(2027, 11, 14),
        now=NOW,
    )
    generate_year(session, marketer, YEAR, NOW)
    assert send_of(session, "football", "pre").send_on == PRE_DAY


def test_approving_a_send_records_who_and_when(session, marketer):
    fall_calendar(session, marketer)
    approve(session, marketer, [send_of(session, "football", "pre").id], NOW, zone=SETTINGS.zone)
    session.expire_all()
    send = send_of(session, "football", "pre")
    assert (send.status, send.approved_by, send.approved_at.replace(tzinfo=None)) == (
        "approved",
        marketer.id,
        NOW.replace(tzinfo=None),
    )


def test_approving_a_season_approves_all_its_drafts_only(session, marketer):
    fall_calendar(session, marketer)
    save_season(
        session,
        marketer,
        year=YEAR,
        sport="basketball",
        season="winter",
        starts_on=date(2027, 11, 22),
        ends_on=date(2028, 2, 26),
        now=NOW,
    )
    generate_year(session, marketer, YEAR, NOW)
    assert approve_season(session, marketer, YEAR, "fall", NOW, zone=SETTINGS.zone) == 6
    session.expire_all()
    assert {(s.season, s.status) for s in sends_of(session, YEAR)} == {
        ("fall", "approved"),
        ("winter", "draft"),
    }


def test_a_viewer_cannot_approve(session, marketer, viewer):
    fall_calendar(session, marketer)
    with pytest.raises(PermissionDenied):
        approve_season(session, viewer, YEAR, "fall", NOW, zone=SETTINGS.zone)


def test_an_approval_can_be_withdrawn_before_it_is_enqueued(session, marketer):
    fall_calendar(session, marketer)
    approve(session, marketer, [send_of(session, "football", "pre").id], NOW, zone=SETTINGS.zone)
    session.expire_all()
    assert (
        withdraw(session, marketer, send_of(session, "football", "pre").id, NOW).status == "draft"
    )


def test_drafts_are_planned_on_the_touchpoint_calendar(session, marketer):
    fall_calendar(session, marketer)
    items = calendar(session, PRE_DAY, PRE_DAY, NOW, ZoneInfo("America/New_York")).items
    assert sorted((i.day, i.state, i.source, i.label) for i in items) == [
        (PRE_DAY, PLANNED, "seasonal", "Pre-season football email (draft)"),
        (PRE_DAY, PLANNED, "seasonal", "Pre-season soccer email (draft)"),
    ]


def test_an_approved_send_is_shown_as_approved_on_the_calendar(session, marketer):
    fall_calendar(session, marketer, sports=("football",))
    approve(session, marketer, [send_of(session, "football", "pre").id], NOW, zone=SETTINGS.zone)
    items = calendar(session, PRE_DAY, PRE_DAY, NOW, ZoneInfo("America/New_York")).items
    assert [i.label for i in items] == ["Pre-season football email (approved)"]


def test_approving_again_changes_nothing(session, marketer):
    fall_calendar(session, marketer)
    send = send_of(session, "football", "pre")
    approve(session, marketer, [send.id], NOW, zone=SETTINGS.zone)
    assert approve(session, marketer, [send.id], NOW, zone=SETTINGS.zone) == 0


def test_a_draft_whose_day_has_passed_is_missed_and_cannot_be_approved(session, marketer):
    fall_calendar(session, marketer)
    pre = send_of(session, "football", "pre")
    the_day_after = ON_PRE_DAY + timedelta(days=1)
    assert shown_status(pre, the_day_after.date()) == "missed"
    with pytest.raises(
        SendError, match="missed: the day of pre-season football \\(Jul 27, 2027\\) passed"
    ):
        approve(session, marketer, [pre.id], the_day_after, zone=SETTINGS.zone)
    session.expire_all()
    assert send_of(session, "football", "pre").status == "draft"


def test_a_draft_is_still_due_late_on_its_day_in_the_practices_zone(session, marketer):
    fall_calendar(session, marketer)
    late_evening_in_boston = datetime(2027, 7, 28, 3, 30, tzinfo=UTC)  # 23:30 on 27 July in Boston
    assert (
        approve(
            session,
            marketer,
            [send_of(session, "football", "pre").id],
            late_evening_in_boston,
            zone=SETTINGS.zone,
        )
        == 1
    )


def test_approving_a_season_leaves_its_missed_sends_missed(session, marketer):
    fall_calendar(session, marketer)
    after_pre_season = ON_PRE_DAY + timedelta(days=1)
    assert (
        approve_season(session, marketer, YEAR, "fall", after_pre_season, zone=SETTINGS.zone) == 4
    )
    session.expire_all()
    assert {(s.phase, s.status) for s in sends_of(session, YEAR)} == {
        ("pre", "draft"),
        ("mid", "approved"),
        ("post", "approved"),
    }


def test_the_year_to_plan_is_the_one_with_the_next_send(session, marketer):
    fall_calendar(session, marketer)
    assert (
        next_year_to_plan(session, date(2027, 12, 1)) == 2028
    )  # fall 2027 is behind, winter has begun
    assert next_year_to_plan(session, date(2027, 11, 17)) == 2027  # the post-season send is today


def test_with_nothing_planned_the_year_to_plan_is_the_next_season_to_start(session):
    assert (
        next_year_to_plan(session, date(2026, 12, 2)) == 2027
    )  # spring 2027; winter 2026 has begun
    assert next_year_to_plan(session, date(2026, 7, 1)) == 2026  # fall 2026
