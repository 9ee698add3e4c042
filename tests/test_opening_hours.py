"""A partner's opening hours: set per weekday, replaced as a whole, read for many
partners at once, and a closed day told apart from hours nobody entered."""

from __future__ import annotations

import json
from datetime import date, time

import pytest
from pydantic import ValidationError
from sqlmodel import select

from crm.access import PermissionDenied
from crm.errors import InvalidInput
from crm.models import AuditLog
from crm.opening_hours import DayHours, WeekHours, hours_of, opening_hours, set_opening_hours
from tests.factories import make_partner

MONDAY = date(2026, 11, 23)
SATURDAY = date(2026, 11, 28)


def _weekdays(opens=time(8, 0), closes=time(17, 0)) -> list[DayHours]:
    return [DayHours(weekday=d, opens=opens, closes=closes) for d in range(5)]


def test_hours_saved_are_read_back_in_minutes_after_midnight(session, marketer, now):
    partner = make_partner(session)
    set_opening_hours(session, marketer, partner.id, _weekdays(closes=time(16, 30)), now)
    assert opening_hours(session, partner.id).on(MONDAY) == (8 * 60, 16 * 60 + 30)


def test_saving_again_replaces_every_day(session, marketer, now):
    partner = make_partner(session)
    set_opening_hours(session, marketer, partner.id, _weekdays(), now)
    set_opening_hours(
        session, marketer, partner.id, [DayHours(weekday=5, opens=time(9), closes=time(12))], now
    )
    assert opening_hours(session, partner.id).days == {5: (9 * 60, 12 * 60)}


def test_a_partner_with_hours_is_closed_on_the_days_without_them(session, marketer, now):
    partner = make_partner(session)
    hours = set_opening_hours(session, marketer, partner.id, _weekdays(), now)
    assert (hours.closed_on(SATURDAY), hours.closed_on(MONDAY)) == (True, False)


def test_a_partner_without_hours_is_never_taken_for_closed(session):
    partner = make_partner(session)
    hours = opening_hours(session, partner.id)
    assert (hours.known, hours.closed_on(SATURDAY)) == (False, False)


def test_saving_no_day_leaves_the_hours_unknown(session, marketer, now):
    partner = make_partner(session)
    set_opening_hours(session, marketer, partner.id, _weekdays(), now)
    set_opening_hours(session, marketer, partner.id, [], now)
    assert opening_hours(session, partner.id) == WeekHours()


def test_hours_of_several_partners_come_in_one_mapping(session, marketer, now):
    open_one, unknown = make_partner(session), make_partner(session)
    set_opening_hours(session, marketer, open_one.id, _weekdays(), now)
    assert list(hours_of(session, [open_one.id, unknown.id])) == [open_one.id]


def test_an_office_must_open_before_it_closes():
    with pytest.raises(ValidationError, match="on Tuesdays the office must open before it closes"):
        DayHours(weekday=1, opens=time(17), closes=time(9))


def test_one_weekday_twice_is_refused(session, marketer, now):
    partner = make_partner(session)
    twice = [DayHours(weekday=0, opens=time(8), closes=time(12))] * 2
    with pytest.raises(InvalidInput, match="one opening at most"):
        set_opening_hours(session, marketer, partner.id, twice, now)


def test_a_viewer_cannot_change_hours(session, viewer, now):
    partner = make_partner(session)
    with pytest.raises(PermissionDenied):
        set_opening_hours(session, viewer, partner.id, _weekdays(), now)


def test_a_change_of_hours_is_audited(session, marketer, now):
    partner = make_partner(session)
    set_opening_hours(session, marketer, partner.id, _weekdays()[:1], now)
    changes = session.exec(select(AuditLog.changes).where(AuditLog.entity == "partner")).all()
    assert [json.loads(c) for c in changes] == [{"opening_hours": "Mon 08:00–17:00"}]
