"""The day's route: a liaison's visits and drop-offs due that day, from a clinic and back,
in the solver's order with opening hours as windows, never longer than the city-and-ZIP
order, with a warning for a stop at an office closed that day and Maps links."""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from crm.errors import InvalidInput
from crm.models import Location, Partner
from crm.opening_hours import DayHours, set_opening_hours
from crm.routes.day import day_route, plan_day
from crm.routes.maps import MAX_WAYPOINTS, directions_links
from crm.routes.places import position, road_miles
from crm.routes.solver import route_miles
from crm.tasks import TaskInput, TaskItem, create_task, route
from tests.conftest import NOW
from tests.factories import make_location, make_partner

WEDNESDAY = date(2026, 11, 25)
SATURDAY = date(2026, 11, 28)
NINE = time(9, 0)
# Greater Boston, for days of believable drives.
ZIPS = [
    "02118", "02134", "02458", "02139", "02169", "02452", "02446", "02135", "02472",
    "02143", "02155", "02148", "02184", "02026", "02494", "01801", "02420", "02474",
    "02176", "02151", "02186", "02132", "02131", "02136", "02124", "02127", "01701",
]  # fmt: skip


def _clinic(session, **fields):  # type: ignore[no-untyped-def]
    values = {"name": "South End Clinic", "address": "100 Tremont St", "zip": "02118"}
    return make_location(session, **(values | fields))


def _stop(session, actor, kind="visit", day=WEDNESDAY, user=None, **partner_fields):  # type: ignore[no-untyped-def]
    partner = make_partner(session, **partner_fields)
    create_task(
        session,
        actor,
        TaskInput(kind=kind, partner_id=partner.id, due_on=day, assigned_to=user or actor.id),
        NOW,
    )
    session.commit()
    return partner


def _names(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.item.partner_name for s in plan.stops]


def test_the_route_holds_the_days_visits_and_drop_offs_only(session, marketer, admin):
    clinic = _clinic(session)
    _stop(session, marketer, name="Quincy PT", zip="02169")
    _stop(session, marketer, kind="drop_off", name="Cambridge Family", zip="02139")
    _stop(session, marketer, kind="call", name="Phoned Practice", zip="02134")
    _stop(session, marketer, day=WEDNESDAY + timedelta(days=1), name="Tomorrow Ortho")
    _stop(session, admin, name="Colleague's Visit", user=admin.id)
    plan = plan_day(session, marketer.id, WEDNESDAY, clinic.id, NINE)
    assert sorted(_names(plan)) == ["Cambridge Family", "Quincy PT"]


def test_a_stop_at_an_office_closed_that_day_is_warned_of(session, marketer, now):
    clinic = _clinic(session)
    partner = _stop(session, marketer, day=SATURDAY, name="Weekday Pediatrics", zip="02134")
    weekdays = [DayHours(weekday=d, opens=time(8), closes=time(17)) for d in range(5)]
    set_opening_hours(session, marketer, partner.id, weekdays, now)
    plan = plan_day(session, marketer.id, SATURDAY, clinic.id, NINE)
    assert plan.warnings == ["Weekday Pediatrics is closed on Saturdays."]
    assert [s.closed for s in plan.stops] == [True]


def test_a_stop_is_visited_within_its_opening_hours(session, marketer, now):
    clinic = _clinic(session)
    near = _stop(session, marketer, name="Afternoon Clinic", zip="02115")
    _stop(session, marketer, name="Quincy PT", zip="02169")
    _stop(session, marketer, name="Cambridge Family", zip="02139")
    afternoon = DayHours(weekday=WEDNESDAY.weekday(), opens=time(14), closes=time(17))
    set_opening_hours(session, marketer, near.id, [afternoon], now)
    plan = plan_day(session, marketer.id, WEDNESDAY, clinic.id, NINE)
    (visit,) = [s for s in plan.stops if s.item.partner_name == "Afternoon Clinic"]
    assert time(14) <= visit.arrives <= time(16, 40) and plan.warnings == []


def test_the_total_is_the_legs_and_the_drive_back(session, marketer):
    clinic = _clinic(session)
    for zip_code in ("02169", "02139", "02458"):
        _stop(session, marketer, zip=zip_code)
    plan = plan_day(session, marketer.id, WEDNESDAY, clinic.id, NINE)
    legs = sum(s.miles for s in plan.stops) + plan.miles_back
    assert plan.total_miles == pytest.approx(legs) and plan.total_miles > 10


def test_the_maps_link_leaves_from_the_clinic_and_drives_the_stops_in_order(session, marketer):
    clinic = _clinic(session)
    _stop(session, marketer, address="1 Hancock St", city="Quincy", zip="02169")
    _stop(session, marketer, address="", city="Newton", zip="02458")
    plan = plan_day(session, marketer.id, WEDNESDAY, clinic.id, NINE)
    (link,) = plan.links
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    where = {
        s.item.zip: s.item.address and f"{s.item.address}, {s.item.city}, MA {s.item.zip}"
        for s in plan.stops
    }
    newton = "{:.5f},{:.5f}".format(*position(Partner(zip="02458")))
    where["02458"] = newton
    assert query["origin"] == query["destination"] == "100 Tremont St, Boston, MA 02118"
    assert query["waypoints"].split("|") == [where[s.item.zip] for s in plan.stops]


def test_a_partner_found_at_its_street_address_is_routed_from_there(session, marketer):
    clinic = _clinic(session)
    # Geocoded on Cape Cod though its ZIP is in Quincy: the stored position wins.
    _stop(session, marketer, zip="02169", latitude=41.6688, longitude=-70.2962)
    plan = plan_day(session, marketer.id, WEDNESDAY, clinic.id, NINE)
    assert plan.total_miles > 120


def test_a_partner_whose_zip_cannot_be_placed_is_left_off_with_a_warning(session, marketer):
    clinic = _clinic(session)
    _stop(session, marketer, name="Nowhere Ortho", zip="")
    _stop(session, marketer, name="Quincy PT", zip="02169")
    plan = plan_day(session, marketer.id, WEDNESDAY, clinic.id, NINE)
    assert _names(plan) == ["Quincy PT"] and [i.partner_name for i in plan.unplaced] == [
        "Nowhere Ortho"
    ]
    assert "Nowhere Ortho is left off the route" in plan.warnings[0]


def test_a_day_without_visits_is_an_empty_route(session, marketer):
    clinic = _clinic(session)
    _stop(session, marketer, kind="call")
    plan = plan_day(session, marketer.id, WEDNESDAY, clinic.id, NINE)
    assert (plan.stops, plan.total_miles, plan.links, plan.back_at) == ([], 0, [], NINE)


def test_a_clinic_without_a_zip_cannot_start_a_route(session, marketer):
    clinic = _clinic(session, zip="")
    _stop(session, marketer)
    with pytest.raises(InvalidInput, match="has no ZIP code"):
        plan_day(session, marketer.id, WEDNESDAY, clinic.id, NINE)


def _random_day(seed: int, stops: int) -> tuple[list[TaskItem], dict[int, Partner]]:
    rng = random.Random(seed)
    items, partners = [], {}
    for n in range(1, stops + 1):
        zip_code = rng.choice(ZIPS)
        partners[n] = Partner(id=n, name=f"Partner {n}", zip=zip_code, city=f"Town {zip_code}")
        items.append(_item(n, partners[n]))
    return items, partners


def _item(n: int, partner: Partner) -> TaskItem:
    return TaskItem(
        task_id=n, kind="visit", title="", instructions="", due_on=WEDNESDAY, assigned_to=1,
        assignee="", partner_id=n, partner_name=partner.name, contact_id=None,
        contact_name="", phone="", address=f"{n} Main St", city=partner.city,
        zip=partner.zip, from_cadence=False,
    )  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_the_route_is_never_longer_than_the_city_and_zip_order(seed):
    items, partners = _random_day(seed, 12)
    clinic = Location(name="South End Clinic", zip="02118", address="100 Tremont St")
    plan = day_route(clinic, items, partners, {}, WEDNESDAY, NINE)
    places = [position(clinic), *(position(partners[i.partner_id]) for i in route(items))]
    by_town = route_miles(road_miles(places), range(1, len(places)))
    assert plan.total_miles <= by_town + 0.01


def test_a_long_day_opens_in_maps_as_links_that_follow_on():
    places = [f"place {n}" for n in range(22)]  # a clinic, 20 stops, the clinic again
    links = directions_links(places)
    parts = [{k: v[0] for k, v in parse_qs(urlsplit(u).query).items()} for u in links]
    assert len(links) == 3
    assert all(len(p["waypoints"].split("|")) <= MAX_WAYPOINTS for p in parts)
    driven = [parts[0]["origin"]]
    for part in parts:
        assert part["origin"] == driven[-1]
        driven += [*part["waypoints"].split("|"), part["destination"]]
    assert driven == places
