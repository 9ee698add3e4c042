"""Helpers for the AppTest tests: the real app.py pointed at the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from crm import settings
from tests.conftest import ROOT
from tests.factories import PASSWORD

APP = str(ROOT / "app.py")


@pytest.fixture
def app_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The app reads its settings from the environment: point them at this test's database."""
    monkeypatch.setenv("LIAISON_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LIAISON_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("LIAISON_TIMEZONE", "America/New_York")
    settings.get.cache_clear()
    yield engine
    settings.get.cache_clear()


def open_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    return at.run()


def sign_in(at: AppTest, email: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input(password)
    return at.button(key="sign_in_submit").click().run()


def signed_in(email: str) -> AppTest:
    at = sign_in(open_app(), email)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def texts(at: AppTest) -> str:
    """Everything the page says in markdown, headings, captions and alerts, as one string."""
    parts = [
        e.value
        for kind in (
            "title",
            "header",
            "subheader",
            "markdown",
            "caption",
            "success",
            "error",
            "warning",
            "info",
        )
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)
