"""Endpoints under `/_local/`, outside SendGrid's API, so another process (a staging
worker, a benchmark) can set faults, add suppressions, read what was received and
reset, the same things the test handle does in-process.

The Event Webhook: `POST /_local/webhook {"url", "auto"}` sets where signed events go
and answers the public key to configure Liaison with (`GET` answers it again);
`POST /_local/events {"message_key": key or "all", "events": ["delivered",
{"event": "open", "sg_machine_open": true}, ...]}` posts them and answers the
webhook's status."""

from __future__ import annotations

import json
from typing import Any, Protocol

from .events import EventWebhook, NoSuchMessage, NoWebhook, Post
from .faults import FaultInjector, FaultPlan
from .replies import Reply, Request, json_reply, problem
from .store import Store

PREFIX = "/_local/"


class LocalSendGrid(Protocol):
    """What these endpoints use of the server (`sendgrid_local.app`), declared here so
    the server can route to them without the two importing each other."""

    store: Store
    faults: FaultInjector
    webhook: EventWebhook | None

    def reset(self) -> None: ...

    def add_suppression(self, kind: str, email: str, created: int, **details: Any) -> None: ...

    def configure_webhook(self, url: str, auto: bool = False) -> EventWebhook: ...

    def post_events(self, message_key: str, events: list[str | dict[str, Any]]) -> Post: ...


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
    if route == ("GET", "webhook"):
        return _webhook(app)
    if route in {("POST", "webhook"), ("POST", "events")}:
        return _events(app, route[1], request.body)
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


def _webhook(app: LocalSendGrid) -> Reply:
    if app.webhook is None:
        return problem(404, "no event webhook is configured")
    return json_reply(
        200,
        {
            "url": app.webhook.url,
            "auto": app.webhook.auto,
            "public_key": app.webhook.signer.public_key,
        },
    )


def _events(app: LocalSendGrid, what: str, body: bytes) -> Reply:
    try:
        data = json.loads(body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("send a JSON object")
        if what == "webhook":
            app.configure_webhook(str(data["url"]), bool(data.get("auto", False)))
            return _webhook(app)
        events = data["events"]
        if not isinstance(events, list):
            raise ValueError("events must be a list")
        post = app.post_events(str(data.get("message_key") or "all"), events)
        return json_reply(200, {"status": post.status, "events": len(post.events)})
    except NoWebhook as error:
        return problem(409, str(error))
    except NoSuchMessage as error:
        return problem(404, str(error))
    except (ValueError, TypeError, KeyError) as error:
        return problem(400, f"{what}: {error}")
