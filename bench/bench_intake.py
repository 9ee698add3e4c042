"""Sustained referrals through the partner link's form, over real HTTP on SQLite: the
public routes in a uvicorn server of their own process (as st.App serves them), a fresh
database, and SUBMITS forms, each of which makes a referral and queues its
acknowledgment, sent by SENDERS offices at once.

Each form is first opened (GET /p/<token>, for the form's one-time key), as a partner's
browser does; the figure counts the submissions (POST) per second. The load is spread as
real partners spread it: many partners' links (each takes limits.PER_LINK forms in the
window; most partners already referral sources, a quarter prospects whose first form
makes them sources), sent from many client addresses (each takes limits.PER_CLIENT
requests), every client its own 127.0.0.x loopback address, so the app's limits stay as
they are and are never hit (no header is sent that would name another address).
Prints `BENCH intake_form_submits_per_s` (target at least 50/s), after checking that
there are SUBMITS referrals and SUBMITS acknowledgments."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

import uvicorn
from common import Stopwatch, fresh_database, report_value
from sqlalchemy import func, select
from sqlmodel import Session
from starlette.applications import Starlette

from crm.db import engine_for
from crm.models import Contact, Location, Message, Partner, Referral
from crm.partner_links import make_token
from crm.partners import match_key
from ui.public import limits
from ui.routes import public_routes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SUBMITS = 600
PARTNERS = 40  # SUBMITS / PARTNERS forms per link, within limits.PER_LINK
CLIENTS = 24  # 2 * SUBMITS / CLIENTS requests per address, within limits.PER_CLIENT
SECRET = "bench-intake-key"
SENDERS = 2  # offices sending at the same moment
PORT = _free_port()


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
                status="referral_source" if n % 4 else "prospect",
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


def serve(url: str) -> subprocess.Popen:
    """The public routes in a uvicorn server of their own process (as st.App runs them
    beside the pages), so that the clients here do not share its interpreter lock."""
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(PORT)],
        env={**os.environ, "LIAISON_DATABASE_URL": url, "LIAISON_SECRET_KEY": SECRET},
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise SystemExit("the server did not start") from None
            time.sleep(0.05)


def _serving(port: int) -> None:
    uvicorn.run(Starlette(routes=public_routes()), host="127.0.0.1", port=port, log_level="warning")


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
    """Seconds for every form, sent by SENDERS partners' offices at once (each its own
    clients); a form not taken stops the run."""
    failures: list[str] = []

    def office(mine: list[tuple[int, str, bytes]]) -> None:
        clients = {n: _client(n) for n in {client for client, _, _ in mine}}
        for client, path, body in mine:
            answer = _call(clients[client], "POST", path, body)
            if "Our referral number is" not in answer:
                failures.append(answer[:2000])
                return
        for connection in clients.values():
            connection.close()

    shares = [[f for f in forms if f[0] % SENDERS == n] for n in range(SENDERS)]
    threads = [threading.Thread(target=office, args=(share,)) for share in shares]
    with Stopwatch() as watch:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise SystemExit(f"a form was not taken:\n{failures[0]}")
    return watch.seconds


def _client(n: int) -> http.client.HTTPConnection:
    """A keep-alive connection from its own loopback address: a client of its own."""
    return http.client.HTTPConnection(
        "127.0.0.1", PORT, timeout=30, source_address=(f"127.0.0.{n + 2}", 0)
    )


def _call(
    connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None
) -> str:
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
        links = seed(url)
        with Session(engine_for(url)) as session:
            location_id = session.scalar(select(Location.id).order_by(Location.id))
        server = serve(url)
        try:
            seconds = send(opened(links, location_id))
        finally:
            server.terminate()
            server.wait(timeout=10)
        check(url)
    report_value("intake_form_submits_per_s", SUBMITS / seconds, "/s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        _serving(int(sys.argv[2]))
    else:
        main()
