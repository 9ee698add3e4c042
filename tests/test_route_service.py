"""Road miles from a routing service when one is set (an OSRM table server, here a
local one), and the offline estimate, with the reason, whenever it fails."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import date, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from crm import settings
from crm.routes.day import plan_day
from crm.routes.places import road_miles
from crm.routes.service import METRES_PER_MILE, distances
from crm.settings import SettingsError
from crm.tasks import TaskInput, create_task
from tests.conftest import NOW
from tests.factories import make_location, make_partner
from tests.test_settings import clean_env  # noqa: F401

BOSTON, QUINCY, NEWTON = (42.34, -71.07), (42.25, -71.0), (42.33, -71.21)


class _Table(BaseHTTPRequestHandler):
    """OSRM's table answer, `failing` aside: place i to place j is |i - j| * 2 miles."""

    failing = False

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        places = path.removeprefix("/table/v1/driving/").split(";")
        if self.failing or not path.startswith("/table/v1/driving/"):
            self._answer(400, {"code": "InvalidQuery", "message": "Query string malformed"})
            return
        metres = [
            [abs(a - b) * 2 * METRES_PER_MILE for b in range(len(places))]
            for a in range(len(places))
        ]
        self._answer(200, {"code": "Ok", "distances": metres})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def osrm() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Table)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    _Table.failing = False


def test_the_services_road_miles_are_used_when_it_is_set(osrm):
    measured = distances([BOSTON, QUINCY, NEWTON], osrm)
    assert measured.miles[0] == pytest.approx([0, 2, 4]) and not measured.estimated


def test_without_a_service_the_miles_are_estimated_offline():
    measured = distances([BOSTON, QUINCY])
    assert measured.miles == road_miles([BOSTON, QUINCY]) and measured.estimated


def test_a_service_that_refuses_leaves_the_estimate_and_says_why(osrm):
    _Table.failing = True
    measured = distances([BOSTON, QUINCY], osrm)
    assert measured.miles == road_miles([BOSTON, QUINCY])
    assert measured.problem == "it answered 400"


def test_a_service_that_cannot_be_reached_leaves_the_estimate():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    measured = distances([BOSTON, QUINCY], f"http://127.0.0.1:{port}")
    assert measured.estimated and measured.problem.startswith("it could not be reached")


DAY = date(2026, 11, 25)


def _two_visits(session, marketer):  # type: ignore[no-untyped-def]
    for zip_code in ("02169", "02458"):
        partner = make_partner(session, zip=zip_code)
        create_task(
            session,
            marketer,
            TaskInput(kind="visit", partner_id=partner.id, due_on=DAY, assigned_to=marketer.id),
            NOW,
        )
    session.commit()
    return make_location(session, zip="02118")


def test_the_days_route_takes_its_legs_from_the_service(session, marketer, osrm):
    clinic = _two_visits(session, marketer)
    plan = plan_day(session, marketer.id, DAY, clinic.id, time(9), service_url=osrm)
    assert plan.total_miles == pytest.approx(8) and not plan.estimated


def test_the_days_route_says_when_the_service_gave_no_miles(session, marketer, osrm):
    _Table.failing = True
    clinic = _two_visits(session, marketer)
    plan = plan_day(session, marketer.id, DAY, clinic.id, time(9), service_url=osrm)
    assert plan.estimated and plan.warnings == [
        "The routing service gave no miles (it answered 400): they are estimated from ZIP codes."
    ]


def test_the_service_address_must_be_a_web_address(clean_env):
    clean_env.setenv("LIAISON_ROUTE_SERVICE_URL", "router:5000")
    with pytest.raises(SettingsError, match="LIAISON_ROUTE_SERVICE_URL: must start with http"):
        settings.load()
