"""Opening hours on the partner page: an editor ticks the days and sets the times; the
hours are saved and shown."""

from __future__ import annotations

from datetime import time

from crm.opening_hours import DayHours, opening_hours, set_opening_hours
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.conftest import NOW
from tests.factories import make_partner, make_user
from tests.test_app_partners import marketer_app, open_partner


def test_a_marketer_saves_opening_hours_on_the_partner_page(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    at = open_partner(marketer_app(session), partner)
    key = f"hours_{partner.id}"
    for weekday in (0, 2):
        at.checkbox(key=f"{key}_{weekday}_open").check()
    at.time_input(key=f"{key}_2_closes").set_value(time(12, 30))
    at.button(key=f"{key}_save").click().run()
    assert not at.error, [e.value for e in at.error]
    assert opening_hours(session, partner.id).days == {0: (480, 1020), 2: (480, 750)}
    assert "Opening hours of Elm Family Medicine saved: Mon 08:00–17:00, Wed 08:00–12:30." in (
        texts(at)
    )


def test_hours_that_close_before_they_open_are_refused_on_the_page(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    at = open_partner(marketer_app(session), partner)
    key = f"hours_{partner.id}"
    at.checkbox(key=f"{key}_1_open").check()
    at.time_input(key=f"{key}_1_opens").set_value(time(18, 0))
    at.button(key=f"{key}_save").click().run()
    assert "On Tuesdays the office must open before it closes" in texts(at)
    assert not opening_hours(session, partner.id).known


def test_a_viewer_reads_the_hours_without_the_form(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    editor = make_user(session, role="marketer")
    friday = DayHours(weekday=4, opens=time(9), closes=time(13))
    set_opening_hours(session, editor, partner.id, [friday], NOW)
    session.commit()
    make_user(session, email="lee@practice.test", role="viewer")
    at = open_partner(signed_in("lee@practice.test"), partner)
    assert "Open: Fri 09:00–13:00." in texts(at)
    assert not [c for c in at.checkbox if c.key.startswith("hours_")]
