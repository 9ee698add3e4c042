"""The seasonal emails' guide links lead to a page that exists."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from campaigns.seasonal.enqueue import guide_url
from crm import settings
from tests.apptest import app_database  # noqa: F401
from tests.public_site import serving
from ui.routes import public_routes


@pytest.fixture
def site(app_database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(public_routes()) as address:
        yield f"http://{address}"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("phase", ["pre", "mid", "post"])
def test_each_phases_guide_link_opens_a_guide_page(site, monkeypatch, phase):
    monkeypatch.setenv("LIAISON_PUBLIC_URL", site)
    settings.get.cache_clear()
    status, page = _get(guide_url(settings.get(), phase))
    assert status == 200 and "<li>" in page


def test_an_unknown_guide_is_not_found(site):
    assert _get(f"{site}/guides/winter-season")[0] == 404


def test_the_practices_own_guide_address_is_used_when_set(app_database, monkeypatch):
    monkeypatch.setenv(
        "LIAISON_SEASONAL_GUIDE_URL", "https://summitsports.example.org/guides/{phase}"
    )
    settings.get.cache_clear()
    assert guide_url(settings.get(), "mid") == "https://summitsports.example.org/guides/mid"
