"""Distances between US ZIP codes, from the centroids the `zipcodes` package ships
(no download at run time, so an import works on a server without internet access)."""

from __future__ import annotations

import math
from functools import lru_cache

import zipcodes

_EARTH_RADIUS_MILES = 3958.8


@lru_cache(maxsize=1)
def _centroids() -> dict[str, tuple[float, float]]:
    """Five-digit ZIP to (latitude, longitude), read once: about 42,000 entries. Read one
    three-digit prefix at a time, since `zipcodes.list_all()` builds and keeps a dict of
    fifteen fields for every ZIP, about 100 MB that would stay with every process (the
    app, an import) for the sake of two numbers each."""
    table: dict[str, tuple[float, float]] = {}
    for prefix in range(1000):
        for entry in zipcodes.similar_to(f"{prefix:03d}"):
            try:
                table[entry["zip_code"]] = (float(entry["lat"]), float(entry["long"]))
            except (KeyError, TypeError, ValueError):
                continue
    return table


def centroid(zip_code: str) -> tuple[float, float] | None:
    """The ZIP's centre, or None for a ZIP the data does not know."""
    return _centroids().get(zip_code.strip()[:5])


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine): a few tenths of a mile off at most at the
    distances a practice canvasses, which is finer than a ZIP centroid anyway."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


def zip_miles(origin: tuple[float, float], zip_code: str) -> float | None:
    """Miles from `origin` to the ZIP's centre; None when the ZIP is unknown."""
    point = centroid(zip_code)
    return None if point is None else miles_between(origin, point)
