"""Where partners and clinics are, and road-like miles between them, offline: a ZIP's
centre, and the great-circle distance stretched by a detour factor, since roads are
never straight (1.3 is the usual ratio of road to straight-line distance in towns)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from crm.prospects.geo import centroid, miles_between

DETOUR = 1.3

Point = tuple[float, float]


class Place(Protocol):
    zip: str


def position(place: Place) -> Point | None:
    """Where a partner or clinic is, as (latitude, longitude): the position stored for a
    partner (its street address when a geocoder found it, else its ZIP centre), else its
    ZIP's centre, or None when the ZIP is missing or unknown. The one place that decides
    a stop's position."""
    latitude = getattr(place, "latitude", None)
    longitude = getattr(place, "longitude", None)
    if latitude is not None and longitude is not None:
        return (latitude, longitude)
    return centroid(place.zip) if place.zip.strip() else None


def road_miles(points: Sequence[Point], detour: float = DETOUR) -> list[list[float]]:
    """Every place to every other, in miles by road (estimated)."""
    return [[miles_between(a, b) * detour if a != b else 0.0 for b in points] for a in points]
