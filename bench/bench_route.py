"""How long the day's route takes to order 25 stops, the most a liaison's day holds:
the solver alone (OR-Tools, with opening hours as windows on about half the stops), on
random days over Greater Boston ZIP codes, from the distance matrix to the order. The
target is under 2,000 ms. The guided local search runs for its time budget (one second
at 25 stops, `crm.routes.solver`), so the figure is that budget and the model's setup.

    .venv/bin/python bench/bench_route.py

prints `BENCH route_25_stops_ms <median> ms` over 7 days, and the slowest as
`route_25_stops_max_ms`. No database: the route's queries read one day's tasks."""

from __future__ import annotations

import random
import statistics
import time

from common import report_value

from crm.prospects.geo import centroid
from crm.routes.day import MINUTES_PER_MILE, VISIT_MINUTES
from crm.routes.places import road_miles
from crm.routes.solver import Window, solve

STOPS = 25
DAYS = 7
ZIPS = [
    "02118", "02134", "02458", "02139", "02169", "02452", "02446", "02135", "02472",
    "02143", "02155", "02148", "02184", "02026", "02494", "01801", "02420", "02474",
    "02176", "02151", "02186", "02132", "02131", "02136", "02124", "02127", "01701",
    "02090", "02421", "01803", "02453", "02467", "02445", "02115", "02215", "02114",
]  # fmt: skip


def a_day(seed: int) -> tuple[list[list[float]], list[Window | None]]:
    rng = random.Random(seed)
    points = [centroid("02118"), *(centroid(rng.choice(ZIPS)) for _ in range(STOPS))]
    windows: list[Window | None] = [None]
    for _ in range(STOPS):
        if rng.random() < 0.5:
            opens = rng.choice([7, 8, 9]) * 60
            windows.append(Window(opens, opens + rng.choice([8, 9, 10]) * 60))
        else:
            windows.append(None)
    return road_miles(points), windows


def main() -> None:
    timings = []
    for seed in range(DAYS):
        miles, windows = a_day(seed)
        started = time.perf_counter()
        solve(
            miles,
            windows=windows,
            start=8 * 60,
            visit_minutes=VISIT_MINUTES,
            minutes_per_mile=MINUTES_PER_MILE,
            first_order=range(1, STOPS + 1),
        )
        timings.append((time.perf_counter() - started) * 1000)
    report_value("route_25_stops_ms", statistics.median(timings), "ms")
    report_value("route_25_stops_max_ms", max(timings), "ms")


if __name__ == "__main__":
    main()
