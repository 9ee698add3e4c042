"""Links that open a route in Google Maps (the app on a phone, the site elsewhere),
from the Maps URLs documented for directions: an origin, a destination and the stops
between as waypoints. Maps takes at most nine waypoints, so a longer day is shared out
evenly over links that each start where the one before ended."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlencode

DIRECTIONS = "https://www.google.com/maps/dir/"
MAX_WAYPOINTS = 9


def directions_links(places: Sequence[str]) -> list[str]:
    """Links that drive through `places` in order (addresses or "lat,lon"), the first
    the start and the last the end."""
    legs = len(places) - 1
    if legs < 1:
        return []
    count = -(-legs // (MAX_WAYPOINTS + 1))
    per_link = -(-legs // count)  # the legs shared out evenly
    links = []
    for first in range(0, legs, per_link):
        last = min(first + per_link, legs)
        links.append(directions_link(places[first], places[last], places[first + 1 : last]))
    return links


def directions_link(origin: str, destination: str, waypoints: Sequence[str] = ()) -> str:
    query = {"api": "1", "origin": origin, "destination": destination, "travelmode": "driving"}
    if waypoints:
        query["waypoints"] = "|".join(waypoints)
    return f"{DIRECTIONS}?{urlencode(query, quote_via=quote)}"
