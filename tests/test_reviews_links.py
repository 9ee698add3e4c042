"""Review links: the signed token, and GET /r/{token} in a real HTTP server."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlmodel import select

from campaigns.mail.unsubscribe import make_token
from campaigns.reviews.links import LOCATION, REQUEST, SALT, location_url, request_url, verify
from campaigns.reviews.planner import run_review_pass
from crm.models import AuditLog, ReviewRequest
from tests.apptest import app_database  # noqa: F401
from tests.public_site import serving
from tests.review_helpers import KEY, REVIEW_PAGE, clinic, requests, settings, visited
from ui.public.review_link import routes
from ui.routes import public_routes

SETTINGS = settings()


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_request_token_names_its_request():
    link = verify(KEY, token_of(request_url(SETTINGS, 42)))
    assert (link.kind, link.id) == (REQUEST, 42)


def test_a_location_token_names_its_location():
    link = verify(KEY, token_of(location_url(SETTINGS, 7)))
    assert (link.kind, link.id) == (LOCATION, 7)


def test_a_token_signed_with_another_key_is_refused():
    forged = URLSafeSerializer("guessed-key", salt=SALT).dumps([REQUEST, 42])
    assert verify(KEY, forged) is None


def test_a_token_with_another_id_put_in_is_refused():
    payload, signature = token_of(request_url(SETTINGS, 42)).split(".")
    other = token_of(request_url(SETTINGS, 43)).split(".")[0]
    assert verify(KEY, f"{other}.{signature}") is None


def test_an_unsubscribe_token_is_not_a_review_token():
    assert verify(KEY, make_token(KEY, "a@b.org")) is None


def test_the_route_is_among_the_public_routes():
    assert "/r/{token}" in [getattr(route, "path", "") for route in public_routes()]


# --- the public route --------------------------------------------------------------------


@pytest.fixture
def site(app_database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(routes()) as address:
        yield address


def get(site: str, token: str, method: str = "GET") -> tuple[int, str, str]:
    """Status, Location header and body, without following the redirect."""
    connection = http.client.HTTPConnection(site, timeout=10)
    connection.request(method, f"/r/{token}")
    response = connection.getresponse()
    answer = (response.status, response.getheader("Location") or "", response.read().decode())
    connection.close()
    return answer


@pytest.fixture
def asked(session, now) -> ReviewRequest:  # type: ignore[no-untyped-def]
    visited(session)
    run_review_pass(session, SETTINGS, now)
    session.commit()
    return requests(session)[0]


def test_following_the_link_forwards_to_the_location_review_page(site, asked):
    status, location, _ = get(site, token_of(request_url(SETTINGS, asked.id)))
    assert (status, location) == (303, REVIEW_PAGE)


def test_following_the_link_records_the_click(site, session, asked):
    get(site, token_of(request_url(SETTINGS, asked.id)))
    request = requests(session)[0]
    assert (request.status, request.clicked_at is not None) == ("clicked", True)


def test_a_head_as_a_mail_scanner_sends_is_answered_and_counts_nothing(site, session, asked):
    status, location, _ = get(site, token_of(request_url(SETTINGS, asked.id)), "HEAD")
    assert (status, location) == (303, REVIEW_PAGE)
    request = requests(session)[0]
    assert (request.status, request.clicked_at) == ("requested", None)


def test_a_head_of_the_qr_link_records_no_scan(site, session):
    location = clinic(session)
    assert get(site, token_of(location_url(SETTINGS, location.id)), "HEAD")[:2] == (
        303,
        REVIEW_PAGE,
    )
    session.expire_all()
    assert session.exec(select(AuditLog).where(AuditLog.action == "qr_scan")).all() == []


def test_a_second_click_keeps_the_first_click_time(site, session, asked, now):
    session.execute(
        ReviewRequest.__table__.update().values(
            clicked_at=now - timedelta(hours=1), status="clicked"
        )
    )
    session.commit()
    get(site, token_of(request_url(SETTINGS, asked.id)))
    assert requests(session)[0].clicked_at == now - timedelta(hours=1)


def test_a_forged_token_is_refused_with_a_generic_page(site, session, asked):
    forged = URLSafeSerializer("guessed-key", salt=SALT).dumps([REQUEST, asked.id])
    status, location, body = get(site, forged)
    assert (status, location, "not valid" in body, REVIEW_PAGE in body) == (400, "", True, False)
    assert requests(session)[0].clicked_at is None


def test_an_altered_token_is_refused(site, session, asked):
    token = token_of(request_url(SETTINGS, asked.id))
    assert get(site, token[:-2] + ("xx" if token[-2:] != "xx" else "yy"))[0] == 400
    assert requests(session)[0].clicked_at is None


def test_a_token_for_a_request_that_does_not_exist_is_refused(site):
    assert get(site, token_of(request_url(SETTINGS, 999_999)))[0] == 400


def test_the_qr_link_forwards_to_the_location_review_page(site, session):
    location = clinic(session)
    assert get(site, token_of(location_url(SETTINGS, location.id)))[:2] == (303, REVIEW_PAGE)


def test_the_qr_link_records_a_scan_without_a_patient(site, session):
    location = clinic(session)
    get(site, token_of(location_url(SETTINGS, location.id)))
    session.expire_all()
    scans = session.exec(
        select(AuditLog.entity, AuditLog.entity_id, AuditLog.user_id).where(
            AuditLog.action == "qr_scan"
        )
    ).all()
    assert scans == [("location", location.id, None)]


def test_a_location_without_a_review_page_is_refused(site, session):
    location = clinic(session, review_url="")
    assert get(site, token_of(location_url(SETTINGS, location.id)))[0] == 400


def test_the_redirect_target_comes_from_the_location_not_the_request(site, session):
    """An open redirect is impossible: nothing in the URL names the destination."""
    location = clinic(session)
    status, target, _ = get(
        site, token_of(location_url(SETTINGS, location.id)) + "?next=https://evil.example"
    )
    assert (status, target) == (303, REVIEW_PAGE)
