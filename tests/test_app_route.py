"""The day's route on My week: the stops in the solver's order from the chosen clinic,
each leg's miles, the total, the Maps link and the warning for an office closed that
day. (Without a clinic, the stops by city and ZIP: tests/test_app_my_week.py.)"""

from __future__ import annotations

from datetime import time, timedelta

from crm.opening_hours import DayHours, set_opening_hours
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.conftest import NOW
from tests.factories import make_location
from tests.test_app_my_week import MY_WEEK, _liaison, _task, _today


def _route_page(session):  # type: ignore[no-untyped-def]
    at = signed_in("maria@practice.example.org").switch_page(MY_WEEK).run()
    return at.toggle(key="my_week_route").set_value(True).run()


def test_the_route_from_a_clinic_lists_the_stops_with_their_miles_and_a_maps_link(
    app_database, session
):
    maria = _liaison(session)
    make_location(session, name="South End Clinic", address="100 Tremont St", zip="02118")
    for name, zip_code in (("Quincy PT", "02169"), ("Newton Ortho", "02458")):
        _task(session, maria, kind="visit", name=name, zip=zip_code)
    _task(session, maria, kind="drop_off", name="Cambridge Family", zip="02139")
    at = _route_page(session)
    table = at.dataframe[0].value
    assert sorted(table["Partner"]) == ["Cambridge Family", "Newton Ortho", "Quincy PT"]
    assert list(table["Stop"]) == [1, 2, 3] and (table["Miles"] > 0).all()
    shown = texts(at)
    assert "miles** in all: leaving South End Clinic at 09:00" in shown
    assert "[Open the route in Google Maps](https://www.google.com/maps/dir/?api=1" in shown


def test_the_route_warns_of_a_stop_at_an_office_closed_that_day(app_database, session):
    maria = _liaison(session)
    make_location(session, name="South End Clinic", zip="02118")
    task = _task(session, maria, kind="visit", name="Weekend-closed Pediatrics", zip="02134")
    other_days = [d for d in range(7) if d != _today().weekday()]
    hours = [DayHours(weekday=d, opens=time(8), closes=time(17)) for d in other_days]
    set_opening_hours(session, maria, task.partner_id, hours, NOW)
    session.commit()
    at = _route_page(session)
    assert "Weekend-closed Pediatrics is closed on" in texts(at)
    assert list(at.dataframe[0].value["Open"]) == ["Closed"]


def test_another_day_of_the_week_can_be_planned(app_database, session):
    maria = _liaison(session)
    make_location(session, name="South End Clinic", zip="02118")
    _task(session, maria, kind="visit", name="Today Ortho", zip="02169")
    _task(session, maria, kind="visit", name="Tomorrow PT", zip="02458", days=1)
    at = _route_page(session)
    at.date_input(key="route_day").set_value(_today() + timedelta(days=1)).run()
    assert list(at.dataframe[0].value["Partner"]) == ["Tomorrow PT"]
