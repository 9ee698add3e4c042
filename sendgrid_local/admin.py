"""Endpoints under `/_local/`, outside SendGrid's API, so another process (a staging
worker, a benchmark) can set faults, add suppressions, read what was received and
reset, the same things the test handle does in-process."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .faults import FaultPlan
from .replies import Reply, Request, json_reply, problem

if TYPE_CHECKING:
    from .app import LocalSendGrid

PREFIX = "/_local/"


def handle_admin(app: LocalSendGrid, request: Request) -> Reply:
    route = (request.method, request.path.removeprefix(PREFIX).rstrip("/"))
    if route == ("GET", "received"):
        return json_reply(200, received(app))
    if route == ("POST", "reset"):
        app.reset()
        return Reply(204)
    if route == ("GET", "faults"):
        return json_reply(200, app.faults.plan.to_json())
    if route in {("POST", "faults"), ("POST", "suppressions")}:
        return _configure(app, route[1], request.body)
    return problem(404, "not found")


def received(app: LocalSendGrid) -> dict[str, Any]:
    return {
        "received": [delivery.to_json() for delivery in app.store.deliveries()],
        "deliveries_by_key": app.store.deliveries_by_key(),
    }


def _configure(app: LocalSendGrid, what: str, body: bytes) -> Reply:
    try:
        data = json.loads(body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("send a JSON object")
        if what == "faults":
            app.faults.configure(FaultPlan.from_json(data))
            return json_reply(200, app.faults.plan.to_json())
        app.add_suppression(data.pop("kind"), data.pop("email"), data.pop("created"), **data)
        return Reply(201)
    except (ValueError, TypeError, KeyError) as error:
        return problem(400, f"{what}: {error}")
