"""Sustained referrals through the partner link's form, over real HTTP on SQLite: the
public routes in a uvicorn server (as st.App serves them), a fresh database, and
SUBMITS forms, each of which makes a referral and queues its acknowledgment.

Each form is first opened (GET /p/<token>, for the form's one-time key), as a partner's
browser does; the figure counts the submissions (POST) per second. The load is spread as
real partners spread it: many partners' links (each takes PER_LINK forms in the window),
sent from many client addresses (each takes PER_CLIENT requests), every client its own
127.0.0.x loopback address, so the app's limits stay as they are and are never hit.
Prints `BENCH intake_form_submits_per_s` (target at least 50/s), after checking that
there are SUBMITS referrals and SUBMITS acknowledgments."""

from __future__ import annotations

import http.client
import os
import re
import threading
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

import uvicorn
from common import Stopwatch, fresh_database, report_value
from sqlalchemy import func, select
from sqlmodel import Session
from starlette.applications import Starlette

from crm import settings as settings_module
from crm.db import engine_for
from crm.models import Contact, Location, Message, Partner, Referral
from crm.partner_links import make_token
from crm.partners import match_key
from ui.public import limits
from ui.routes import public_routes

SUBMITS = 600
PARTNERS = 40  # SUBMITS / PARTNERS forms per link, within limits.PER_LINK
CLIENTS = 24  # 2 * SUBMITS / CLIENTS requests per address, within limits.PER_CLIENT
SECRET = "bench-intake-key"
PORT = 8765


def seed(url: str) -> list[tuple[str, int]]:
    """PARTNERS partners that hear about each referral by email, each with one contact;
    two clinics. The partners' link paths and contacts' ids."""
    now = datetime.now(UTC)
    with Session(engine_for(url)) as session:
        for name in ("Back Bay", "Brookline"):
            session.add(
                Location(
                    name=name,
                    city="Boston",
                    state="MA",
                    timezone="America/New_York",
                    created_at=now,
                )
            )
        partners = [
            Partner(
                name=f"Bench Partner {n}",
                partner_type="primary_care",
                address=f"{n} Main St",
                city="Boston",
                state="MA",
                zip="02118",
                tier="B",
                status="active",
                referral_channel="email",
                update_preference="per_referral",
                match_key=match_key(f"Bench Partner {n}", f"{n} Main St"),
                created_at=now,
                updated_at=now,
            )
            for n in range(PARTNERS)
        ]
        session.add_all(partners)
        session.flush()
        contacts = [
            Contact(
                partner_id=p.id,
                first_name="Pat",
                last_name=f"Lee{p.id}",
                role="physician",
                email=f"pat{p.id}@partner{p.id}.example.org",
                created_at=now,
                updated_at=now,
            )
            for p in partners
        ]
        session.add_all(contacts)
        session.commit()
        return [
            (f"/p/{make_token(SECRET, p.id, p.link_version)}", c.id)
            for p, c in zip(partners, contacts, strict=True)
        ]


def serve() -> uvicorn.Server:
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=public_routes()), host="127.0.0.1", port=PORT, log_level="warning"
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the server did not start")
        time.sleep(0.02)
    return server


def opened(links: list[tuple[str, int]], location_id: int) -> list[tuple[int, str, bytes]]:
    """One opened form per submission: (client, path, the filled body)."""
    clients = [_client(n) for n in range(CLIENTS)]
    forms = []
    for n in range(SUBMITS):
        path, contact_id = links[n % PARTNERS]
        client = n % CLIENTS
        page = _call(clients[client], "GET", path)
        key = re.search(r'name="form" value="([^"]+)"', page).group(1)
        body = {
            "form": key,
            "contact": str(contact_id),
            "first_name": f"Pat{n}",
            "last_name": "Benchley",
            "phone": f"617-555-{n % 10_000:04d}",
            "email": f"patient{n}@mail.example.org",
            "location": str(location_id),
            "service_line": "knee",
            "urgency": "routine" if n % 3 else "soon",
            "partner_reference": f"REF-{n}",
            "consent": "yes",
            "website": "",
        }
        forms.append((client, path, urlencode(body).encode()))
    for connection in clients:
        connection.close()
    return forms


def send(forms: list[tuple[int, str, bytes]]) -> float:
    clients = [_client(n) for n in range(CLIENTS)]
    with Stopwatch() as watch:
        for client, path, body in forms:
            answer = _call(clients[client], "POST", path, body)
            if "Our referral number is" not in answer:
                raise SystemExit(f"a form was not taken:\n{answer[:2000]}")
    for connection in clients:
        connection.close()
    return watch.seconds


def _client(n: int) -> http.client.HTTPConnection:
    """A keep-alive connection from its own loopback address: a client of its own."""
    return http.client.HTTPConnection(
        "127.0.0.1", PORT, timeout=30, source_address=(f"127.0.0.{n + 2}", 0)
    )


def _call(connection: http.client.HTTPConnection, method: str, path: str, body=None) -> str:  # type: ignore[no-untyped-def]
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    connection.request(method, path, body, headers)
    response = connection.getresponse()
    text = response.read().decode()
    if response.status != 200:
        raise SystemExit(f"{method} {path} answered {response.status}:\n{text[:2000]}")
    return text


def check(url: str) -> None:
    with Session(engine_for(url)) as session:
        referrals = session.scalar(
            select(func.count()).select_from(Referral).where(Referral.channel == "web_form")
        )
        acknowledgments = session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.template == "referral_acknowledgment")
        )
    if (referrals, acknowledgments) != (SUBMITS, SUBMITS):
        raise SystemExit(
            f"expected {SUBMITS} referrals and acknowledgments, got {referrals} and "
            f"{acknowledgments}"
        )


def main() -> None:
    assert SUBMITS / PARTNERS <= limits.PER_LINK and 2 * SUBMITS / CLIENTS <= limits.PER_CLIENT
    with fresh_database("sqlite") as url:
        os.environ.update(LIAISON_DATABASE_URL=url, LIAISON_SECRET_KEY=SECRET)
        settings_module.get.cache_clear()
        links = seed(url)
        with Session(engine_for(url)) as session:
            location_id = session.scalar(select(Location.id).order_by(Location.id))
        server = serve()
        try:
            seconds = send(opened(links, location_id))
        finally:
            server.should_exit = True
        check(url)
    report_value("intake_form_submits_per_s", SUBMITS / seconds, "/s")


if __name__ == "__main__":
    main()
