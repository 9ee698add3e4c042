"""Road miles from a routing service, when the practice runs or rents one: an OSRM
server's table service (`/table/v1/driving/`, distances in metres). Whatever goes wrong
(no answer, an error, a pair it cannot route) leaves the offline estimate in place, with
the reason, so the route is always planned."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from crm.routes.places import Point, road_miles

METRES_PER_MILE = 1609.344
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Distances:
    miles: list[list[float]]
    estimated: bool
    problem: str = ""


def distances(points: Sequence[Point], service_url: str = "") -> Distances:
    """Miles between every pair of `points`: the service's where it is set and answers,
    else the offline estimate."""
    estimate = road_miles(points)
    if not service_url or len(points) < 2:
        return Distances(estimate, estimated=True)
    try:
        metres = _table(service_url, points)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Distances(estimate, estimated=True, problem=_reason(exc))
    miles = [
        [estimate[a][b] if m is None else m / METRES_PER_MILE for b, m in enumerate(row)]
        for a, row in enumerate(metres)
    ]
    return Distances(miles, estimated=False)


def _table(service_url: str, points: Sequence[Point]) -> list[list[float | None]]:
    where = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
    url = f"{service_url}/table/v1/driving/{where}?annotations=distance"
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        answer = json.load(response)
    if answer.get("code") != "Ok":
        raise ValueError(answer.get("message") or answer.get("code") or "no answer")
    table = answer["distances"]
    if len(table) != len(points) or any(len(row) != len(points) for row in table):
        raise ValueError("the table does not match the places asked for")
    return table


def _reason(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"it answered {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return f"it could not be reached ({exc.reason})"
    if isinstance(exc, OSError):
        return f"it could not be reached ({exc})"
    return f"its answer could not be read ({exc})"
