"""How a page reports a refused change: a message, never a traceback."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _refused_by_the_domain() -> None:
    from sqlmodel import create_engine

    from crm.access import Actor, require_editor
    from crm.vocab import Role
    from ui.widgets import attempt

    viewer = Actor(id=1, role=Role.VIEWER, name="Erin Walsh")
    attempt(create_engine("sqlite://"), lambda session: require_editor(viewer))


def _invalid_contact() -> None:
    from sqlmodel import create_engine

    from crm.contacts import ContactInput
    from ui.widgets import attempt

    attempt(create_engine("sqlite://"), lambda session: ContactInput(first_name="", email="nope"))


def test_a_change_the_role_does_not_allow_is_reported_as_not_allowed():
    at = AppTest.from_function(_refused_by_the_domain, default_timeout=30).run()
    assert not at.exception
    assert at.error[0].value == "Not allowed: Erin Walsh has the viewer role, which is read-only."


def test_every_invalid_field_is_listed_by_its_label():
    at = AppTest.from_function(_invalid_contact, default_timeout=30).run()
    assert not at.exception
    message = at.error[0].value
    assert "- First name: is required" in message
    assert "- Email: invalid email 'nope'" in message
