"""Security headers on what the running app serves, `streamlit run app.py` as `make run`
starts it, behind an https public address: Streamlit's pages and the public routes."""

from __future__ import annotations

import http.client
import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from crm import migrate
from tests.browser import running_app
from ui.headers import headers_for


@pytest.fixture(scope="module")
def app_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("headers")
    url = f"sqlite:///{folder / 'liaison.db'}"
    migrate.upgrade(url)
    before = os.environ.get("LIAISON_PUBLIC_URL")
    os.environ["LIAISON_PUBLIC_URL"] = "https://crm.example.org"
    try:
        with running_app(url, folder / "app.log") as base:
            yield urlsplit(base).netloc
    finally:
        if before is None:
            os.environ.pop("LIAISON_PUBLIC_URL", None)
        else:
            os.environ["LIAISON_PUBLIC_URL"] = before


def headers(address: str, path: str, method: str = "GET") -> dict[str, str]:
    connection = http.client.HTTPConnection(address, timeout=20)
    connection.request(method, path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return {name.lower(): value for name, value in response.getheaders()}


def test_the_app_page_cannot_be_framed_by_another_site(app_address):
    got = headers(app_address, "/")
    assert (got["x-frame-options"], got["content-security-policy"]) == (
        "SAMEORIGIN",
        "frame-ancestors 'self'",
    )
    assert got["x-content-type-options"] == "nosniff"


def test_the_unsubscribe_confirmation_has_a_strict_policy_and_cannot_be_framed(app_address):
    got = headers(app_address, "/unsubscribe/not-a-token")
    assert got["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in got["content-security-policy"]
    assert "default-src 'none'" in got["content-security-policy"]
    assert (got["x-content-type-options"], got["referrer-policy"]) == ("nosniff", "no-referrer")


def test_the_api_answers_carry_the_headers_too(app_address):
    got = headers(app_address, "/api/health")
    assert got["x-content-type-options"] == "nosniff" and got["x-frame-options"] == "DENY"


def test_behind_https_every_answer_asks_for_https_from_then_on(app_address):
    for path in ("/", "/api/health", "/rsvp/not-a-token"):
        assert headers(app_address, path)["strict-transport-security"].startswith("max-age=")


def test_over_plain_http_no_transport_security_is_promised():
    assert "Strict-Transport-Security" not in headers_for("/", https=False)
