"""The order of a day's stops: a round trip from the clinic through every stop, as
short as the solver finds it, with each stop's opening hours as a time window.

Pure: a distance matrix, the windows, the start time and the visit length in; the order
out. OR-Tools' routing solver builds a first route by the cheapest arc and improves it by
guided local search for a time that grows with the stops (about a second for 25). Given
a starting order (the city-and-ZIP order My week used to show) it starts from that one,
so its route is never longer than that order. Windows are hard at the opening (the
liaison waits) and soft at the closing: a day that cannot fit every window still gets a
route, the late stops as few and as little late as the solver finds, and
`schedule` tells which they are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

# The solver works in whole numbers: thousandths of a mile.
_SCALE = 1000
# A minute after closing costs as much as a thousand miles: lateness is avoided first.
_LATE_PER_MINUTE = 1000 * _SCALE
# Long enough that waiting for any opening, or running late, never makes a day infeasible.
_HORIZON_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class Window:
    """When a stop may be visited, in minutes after midnight: the visit starts at
    `opens` or later and ends by `closes`."""

    opens: int
    closes: int


@dataclass(frozen=True)
class Visit:
    """One stop in the schedule: where it is in the matrix, when the visit starts (after
    any wait for the opening) and whether it ends after the stop closes."""

    place: int
    starts: int
    late: bool


def solve(
    miles: Sequence[Sequence[float]],
    *,
    windows: Sequence[Window | None] | None = None,
    start: int = 0,
    visit_minutes: int = 0,
    minutes_per_mile: float = 2.0,
    first_order: Sequence[int] | None = None,
    seconds: float | None = None,
) -> list[int]:
    """The stops' places in the matrix (1 to n; 0 is the clinic, where the day starts
    at minute `start` and ends) in the order to drive them. `windows[i]` is place i's
    window or None (the clinic's is ignored)."""
    size = len(miles)
    if size <= 2:
        return list(range(1, size))
    manager = pywrapcp.RoutingIndexManager(size, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost = [[round(m * _SCALE) for m in row] for row in miles]
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost))
    if windows is not None and any(w is not None for i, w in enumerate(windows) if i):
        _time_windows(routing, manager, miles, windows, start, visit_minutes, minutes_per_mile)
    parameters = _parameters(size - 1, seconds)
    if first_order is not None:
        routing.CloseModelWithParameters(parameters)
        first = routing.ReadAssignmentFromRoutes([list(first_order)], True)
        solution = (
            routing.SolveWithParameters(parameters)
            if first is None
            else routing.SolveFromAssignmentWithParameters(first, parameters)
        )
    else:
        solution = routing.SolveWithParameters(parameters)
    if solution is None:
        return list(first_order) if first_order is not None else list(range(1, size))
    return _order(routing, manager, solution)


def schedule(
    miles: Sequence[Sequence[float]],
    order: Sequence[int],
    *,
    windows: Sequence[Window | None] | None = None,
    start: int = 0,
    visit_minutes: int = 0,
    minutes_per_mile: float = 2.0,
) -> list[Visit]:
    """When each stop of `order` is visited, leaving the clinic at `start`, each drive
    rounded to the minute as the solver counts it, waiting at a stop not open yet."""
    visits = []
    clock = start
    here = 0
    for place in order:
        clock += round(miles[here][place] * minutes_per_mile)
        window = windows[place] if windows is not None else None
        if window is not None:
            clock = max(clock, window.opens)
        late = window is not None and clock + visit_minutes > window.closes
        visits.append(Visit(place, clock, late))
        clock += visit_minutes
        here = place
    return visits


def route_miles(miles: Sequence[Sequence[float]], order: Sequence[int]) -> float:
    """The round trip's length: from the clinic through `order` and back."""
    path = [0, *order, 0]
    return sum(miles[a][b] for a, b in zip(path, path[1:]))


def _time_windows(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    miles: Sequence[Sequence[float]],
    windows: Sequence[Window | None],
    start: int,
    visit_minutes: int,
    minutes_per_mile: float,
) -> None:
    """Minutes from leaving one place to arriving at the next (the visit, then the
    drive), with each stop's window on its arrival."""
    size = len(miles)
    minutes = [
        [(visit_minutes if a else 0) + round(miles[a][b] * minutes_per_mile) for b in range(size)]
        for a in range(size)
    ]
    transit = routing.RegisterTransitMatrix(minutes)
    routing.AddDimension(transit, _HORIZON_MINUTES, start + _HORIZON_MINUTES, False, "time")
    time = routing.GetDimensionOrDie("time")
    time.CumulVar(routing.Start(0)).SetValue(start)
    for place in range(1, size):
        window = windows[place]
        if window is None:
            continue
        index = manager.NodeToIndex(place)
        time.CumulVar(index).SetMin(window.opens)
        latest = max(window.closes - visit_minutes, 0)
        time.SetCumulVarSoftUpperBound(index, latest, _LATE_PER_MINUTE)


def _parameters(stops: int, seconds: float | None) -> pywrapcp.DefaultRoutingSearchParameters:
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    limit = seconds if seconds is not None else min(1.0, 0.1 + 0.035 * stops)
    parameters.time_limit.FromMilliseconds(max(1, round(limit * 1000)))
    return parameters


def _order(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    solution: pywrapcp.Assignment,
) -> list[int]:
    order = []
    index = solution.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(index):
        order.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return order
