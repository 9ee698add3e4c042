"""Links that open a route in Google Maps (the app on a phone, the site elsewhere),
from the Maps URLs documented for directions: an origin, a destination and the stops
between as waypoints. Maps takes at most nine waypoints, so a longer day is split into
links that each start where the one before ended."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlencode

DIRECTIONS = "https://www.google.com/maps/dir/"
MAX_WAYPOINTS = 9


def directions_links(places: Sequence[str]) -> list[str]:
    """Links that drive through `places` in order (addresses or "lat,lon"), the first
    the start and the last the end."""
    links = []
    first = 0
    while first < len(places) - 1:
        last = min(first + MAX_WAYPOINTS + 1, len(places) - 1)
        links.append(directions_link(places[first], places[last], places[first + 1 : last]))
        first = last
    return links


def directions_link(origin: str, destination: str, waypoints: Sequence[str] = ()) -> str:
    query = {"api": "1", "origin": origin, "destination": destination, "travelmode": "driving"}
    if waypoints:
        query["waypoints"] = "|".join(waypoints)
    return f"{DIRECTIONS}?{urlencode(query, quote_via=quote)}"
