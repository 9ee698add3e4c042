"""A liaison's day on the road: the visits and drop-offs due that day, from a clinic and
back to it, in the order the solver finds, with the partners' opening hours as time
windows, the miles of each leg and a link that opens the route in a maps app.

A stop at an office closed that day stays on the route with a warning (the liaison may
still leave flyers at the door, or snooze the task); a stop whose place is not known
(no ZIP, or one the data lacks) is listed apart, off the route."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache

from sqlmodel import Session, select

from crm.errors import InvalidInput, NotFound
from crm.models import Location, Partner
from crm.opening_hours import WEEKDAYS, WeekHours, clock_time, hours_of
from crm.routes.maps import directions_links
from crm.routes.places import Point, position
from crm.routes.service import distances
from crm.routes.solver import Window, route_miles, schedule, solve
from crm.tasks import ON_THE_ROAD, TaskItem, due_on, route

VISIT_MINUTES = 20
# About 30 mph door to door, in and between towns.
MINUTES_PER_MILE = 2.0


@dataclass(frozen=True)
class RouteStop:
    item: TaskItem
    miles: float  # the leg from the place before
    arrives: time  # when the visit starts, after any wait for the opening
    hours: tuple[int, int] | None  # the day's opening, minutes after midnight
    closed: bool
    late: bool


@dataclass(frozen=True)
class DayRoute:
    day: date
    clinic: str
    start: time
    stops: list[RouteStop]
    miles_back: float
    total_miles: float
    back_at: time
    unplaced: list[TaskItem]
    warnings: list[str]
    links: list[str]
    estimated: bool  # miles from ZIP codes, not a routing service


def plan_day(
    session: Session,
    user_id: int,
    day: date,
    location_id: int,
    start: time,
    visit_minutes: int = VISIT_MINUTES,
    service_url: str = "",
) -> DayRoute:
    """The route of the liaison's visits and drop-offs due on `day`; road miles from the
    routing service at `service_url` when one is set."""
    clinic = session.get(Location, location_id)
    if clinic is None:
        raise NotFound(f"no clinic with id {location_id}")
    items = [i for i in due_on(session, user_id, day) if i.kind in ON_THE_ROAD]
    ids = {i.partner_id for i in items}
    partners = {p.id: p for p in session.exec(select(Partner).where(Partner.id.in_(ids)))}
    hours = hours_of(session, ids)
    return day_route(clinic, items, partners, hours, day, start, visit_minutes, service_url)


def day_route(
    clinic: Location,
    items: Sequence[TaskItem],
    partners: dict[int, Partner],
    hours: dict[int, WeekHours],
    day: date,
    start: time,
    visit_minutes: int = VISIT_MINUTES,
    service_url: str = "",
) -> DayRoute:
    """The route from rows already read: tested without a database (and, with no
    `service_url`, pure)."""
    home = position(clinic)
    if home is None:
        raise InvalidInput(
            f"the clinic {clinic.name} has no ZIP code we can place on the map: "
            "add it on the Clinics page"
        )
    placed, points, unplaced = _placed(route(items), partners)
    measured = distances([home, *points], service_url)
    miles = measured.miles
    opening = [hours.get(i.partner_id, WeekHours()) for i in placed]
    windows = [None, *(_window(h, day) for h in opening)]
    minute = start.hour * 60 + start.minute
    order = _solved(tuple(map(tuple, miles)), tuple(windows), minute, visit_minutes)
    visits = schedule(
        miles,
        order,
        windows=windows,
        start=minute,
        visit_minutes=visit_minutes,
        minutes_per_mile=MINUTES_PER_MILE,
    )
    stops, wheres = [], [_where(clinic, home)]
    here = 0
    for visit in visits:
        item, week = placed[visit.place - 1], opening[visit.place - 1]
        stops.append(
            RouteStop(
                item=item,
                miles=miles[here][visit.place],
                arrives=_time_of_day(visit.starts),
                hours=week.on(day),
                closed=week.closed_on(day),
                late=visit.late,
            )
        )
        wheres.append(_where(partners[item.partner_id], points[visit.place - 1]))
        here = visit.place
    back = miles[here][0]
    ends = visits[-1].starts + visit_minutes if visits else minute
    return DayRoute(
        day=day,
        clinic=clinic.name,
        start=start,
        stops=stops,
        miles_back=back,
        total_miles=route_miles(miles, order),
        back_at=_time_of_day(ends + round(back * MINUTES_PER_MILE)),
        unplaced=unplaced,
        warnings=_warnings(stops, unplaced, day) + _service_warning(measured.problem),
        links=directions_links([*wheres, wheres[0]]) if stops else [],
        estimated=measured.estimated,
    )


@lru_cache(maxsize=64)
def _solved(
    miles: tuple[tuple[float, ...], ...],
    windows: tuple[Window | None, ...],
    start: int,
    visit_minutes: int,
) -> tuple[int, ...]:
    """The solver's order, kept for the same day asked again: My week reruns on every
    click, and a day's search takes up to a second."""
    order = solve(
        miles,
        windows=windows,
        start=start,
        visit_minutes=visit_minutes,
        minutes_per_mile=MINUTES_PER_MILE,
        first_order=range(1, len(miles)),
    )
    return tuple(order)


def _placed(
    items: Sequence[TaskItem], partners: dict[int, Partner]
) -> tuple[list[TaskItem], list[Point], list[TaskItem]]:
    placed, points, unplaced = [], [], []
    for item in items:
        point = position(partners[item.partner_id])
        if point is None:
            unplaced.append(item)
        else:
            placed.append(item)
            points.append(point)
    return placed, points, unplaced


def _window(hours: WeekHours, day: date) -> Window | None:
    opening = hours.on(day)
    return None if opening is None else Window(*opening)


def _time_of_day(minutes: int) -> time:
    return clock_time(min(minutes, 24 * 60 - 1))


def _where(place: Location | Partner, point: Point) -> str:
    """The address a maps app finds, or the position when the street is not known."""
    if not place.address.strip():
        return f"{point[0]:.5f},{point[1]:.5f}"
    state_zip = f"{place.state} {place.zip}".strip()
    return ", ".join(x for x in (place.address, place.city, state_zip) if x)


def _warnings(stops: list[RouteStop], unplaced: list[TaskItem], day: date) -> list[str]:
    said = []
    for stop in stops:
        name = stop.item.partner_name
        if stop.closed:
            said.append(f"{name} is closed on {WEEKDAYS[day.weekday()]}s.")
        elif stop.late and stop.hours is not None:
            said.append(
                f"{name} closes at {clock_time(stop.hours[1]):%H:%M}: the visit starting at "
                f"{stop.arrives:%H:%M} would run past it."
            )
    for item in unplaced:
        said.append(
            f"{item.partner_name} is left off the route: its ZIP code "
            f"({item.zip or 'none'}) is not one we can place on the map."
        )
    return said


def _service_warning(problem: str) -> list[str]:
    if not problem:
        return []
    return [f"The routing service gave no miles ({problem}): they are estimated from ZIP codes."]
