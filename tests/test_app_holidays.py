"""The Holidays page: editors choose the holiday set and add or remove closed days;
everyone reads the coming year. The clock is the tests' (Wednesday 25 November 2026)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import select

from crm import practice_calendar
from crm.models import ClosedDay
from crm.practice_calendar import HolidaySet, add_closed_day, choose_holidays
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_user

PAGE = "ui/pages/holidays.py"
ZONE = ZoneInfo("America/New_York")


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role=role)
    return signed_in("maria@practice.test").switch_page(PAGE).run()


def coming(at) -> list[str]:  # type: ignore[no-untyped-def]
    return list(at.dataframe[0].value["Name"]) if at.dataframe else []


def closed_days(session) -> list[tuple[date, str]]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return [(r.day, r.note) for r in session.exec(select(ClosedDay).order_by(ClosedDay.day))]


def test_a_marketer_chooses_a_country_and_state(app_database, session):
    at = page_for(session)
    at.selectbox(key="holiday_country").set_value("US").run()
    at.selectbox(key="holiday_subdivision").set_value("MA").run()
    at.button(key="holiday_save").click().run()
    assert not at.exception, at.exception
    assert "Holiday set: United States, MA." in texts(at)
    assert practice_calendar.holiday_set(session) == HolidaySet("US", "MA")
    names = coming(at)
    assert names[:2] == ["Thanksgiving Day", "Christmas Day"]
    assert "Patriots' Day" in names


def test_the_page_says_weekends_only_before_a_set_is_chosen(app_database, session):
    at = page_for(session)
    assert "No holiday set (weekends only)" in texts(at)
    assert "only weekends are skipped" in texts(at)


def test_a_marketer_adds_a_closed_day_with_a_note(app_database, session):
    at = page_for(session)
    form = at.get("form")[0]
    form.date_input[0].set_value(date(2026, 11, 27))
    next(t for t in form.text_input if t.label == "Note").input("Day after Thanksgiving")
    form.button[0].click()
    at.run()
    assert not at.exception, at.exception
    assert "Closed on Friday November 27, 2026." in texts(at)
    assert closed_days(session) == [(date(2026, 11, 27), "Day after Thanksgiving")]
    assert coming(at) == ["Day after Thanksgiving"]


def test_a_day_in_the_past_is_refused_with_the_reason(app_database, session):
    at = page_for(session)
    form = at.get("form")[0]
    form.date_input[0].set_value(date(2026, 11, 20))
    form.button[0].click()
    at.run()
    assert at.error[0].value == (
        "A closed day must be today or later: what already ran stays as it ran."
    )
    assert closed_days(session) == []


def test_a_day_already_closed_is_refused(app_database, session, marketer, now):
    add_closed_day(session, marketer, date(2026, 12, 24), "Christmas Eve", now, ZONE)
    session.commit()
    at = page_for(session)
    form = at.get("form")[0]
    form.date_input[0].set_value(date(2026, 12, 24))
    form.button[0].click()
    at.run()
    assert "already a closed day" in at.error[0].value
    assert closed_days(session) == [(date(2026, 12, 24), "Christmas Eve")]


def test_a_marketer_removes_a_closed_day(app_database, session, marketer, now):
    add_closed_day(session, marketer, date(2026, 12, 24), "Christmas Eve", now, ZONE)
    session.commit()
    at = page_for(session)
    at.selectbox(key="closed_day_pick").set_value(date(2026, 12, 24)).run()
    at.button(key="closed_day_remove").click().run()
    assert not at.exception, at.exception
    assert "Open again on Thursday December 24, 2026." in texts(at)
    assert closed_days(session) == []


def test_a_viewer_reads_the_coming_year_but_cannot_change_it(app_database, session, marketer, now):
    choose_holidays(session, marketer, "US", "", now)
    session.commit()
    at = page_for(session, role="viewer")
    assert "Thanksgiving Day" in coming(at)
    assert not at.get("form")
    assert "holiday_country" not in [s.key for s in at.selectbox]
    assert not [b for b in at.button if b.key in ("holiday_save", "closed_day_remove")]
