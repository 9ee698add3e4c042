"""The solver that orders a day's stops: the shortest round trip where brute force can
tell, and every opening-hours window kept when the day allows it."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from crm.routes.solver import Window, route_miles, schedule, solve


def _plane(seed: int, stops: int) -> list[list[float]]:
    """A clinic and `stops` places scattered over 20 by 20 miles."""
    rng = random.Random(seed)
    points = [(rng.uniform(0, 20), rng.uniform(0, 20)) for _ in range(stops + 1)]
    return [[math.dist(a, b) for b in points] for a in points]


def _shortest(miles: list[list[float]]) -> float:
    return min(route_miles(miles, p) for p in itertools.permutations(range(1, len(miles))))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_route_of_8_stops_is_as_short_as_the_best_of_every_order(seed):
    miles = _plane(seed, 8)
    order = solve(miles)
    assert sorted(order) == list(range(1, 9))
    assert route_miles(miles, order) == pytest.approx(_shortest(miles), abs=0.01)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_route_is_never_longer_than_the_order_it_starts_from(seed):
    miles = _plane(seed, 15)
    first = list(range(1, 16))
    random.Random(seed).shuffle(first)
    order = solve(miles, first_order=first, seconds=0.2)
    assert route_miles(miles, order) <= route_miles(miles, first) + 0.01


def test_a_stop_that_closes_early_is_visited_first_and_one_that_opens_late_last():
    # Along one road: 2, 4 and 6 miles out. Nearest first would reach the far one at 9:52.
    line = [0, 2, 4, 6]
    miles = [[abs(a - b) for b in line] for a in line]
    windows = [None, Window(11 * 60, 12 * 60), None, Window(9 * 60, 9 * 60 + 40)]
    plan = dict(windows=windows, start=9 * 60, visit_minutes=20)
    order = solve(miles, **plan)
    assert order == [3, 2, 1]
    assert [v.late for v in schedule(miles, order, **plan)] == [False, False, False]


@pytest.mark.parametrize("seed", [21, 22, 23, 24])
def test_every_window_is_kept_on_a_day_that_can_keep_them(seed):
    """Windows made around a random order's own times, so at least that order fits."""
    rng = random.Random(seed)
    miles = _plane(seed, 10)
    some_order = rng.sample(range(1, 11), 10)
    times = schedule(miles, some_order, start=8 * 60, visit_minutes=20)
    windows: list[Window | None] = [None] * 11
    for visit in times:
        if rng.random() < 0.7:
            windows[visit.place] = Window(visit.starts - 15, visit.starts + 20 + 15)
    plan = dict(windows=windows, start=8 * 60, visit_minutes=20)
    visits = schedule(miles, solve(miles, **plan), **plan)
    assert not [v for v in visits if v.late]
    assert all(v.starts >= windows[v.place].opens for v in visits if windows[v.place])


def test_a_day_that_cannot_keep_every_window_still_gets_a_route_with_the_late_stop():
    miles = [[0, 10, 10], [10, 0, 1], [10, 1, 0]]
    windows = [None, Window(9 * 60, 9 * 60 + 10), None]  # 20 minutes' drive away
    plan = dict(windows=windows, start=9 * 60, visit_minutes=20)
    order = solve(miles, **plan)
    late = [v.place for v in schedule(miles, order, **plan) if v.late]
    assert sorted(order) == [1, 2] and late == [1]


def test_the_schedule_waits_at_a_stop_not_yet_open():
    miles = [[0, 5], [5, 0]]
    visits = schedule(miles, [1], windows=[None, Window(10 * 60, 12 * 60)], start=9 * 60)
    assert visits[0].starts == 10 * 60


def test_a_day_with_one_stop_or_none_needs_no_search():
    assert solve([[0.0]]) == [] and solve([[0, 3], [3, 0]]) == [1]
