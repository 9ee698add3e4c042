"""The Email templates page: everyone sees the list and a preview; marketers and admins
also get the edit form, which refuses a bad edit with the reason and saves a good one."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm.models import TemplateOverride
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_user

PAGE = "ui/pages/templates.py"


def templates_page(session, role):  # type: ignore[no-untyped-def]
    make_user(session, email=f"{role}@practice.test", role=role)
    return signed_in(f"{role}@practice.test").switch_page(PAGE).run()


def edit(at, html):  # type: ignore[no-untyped-def]
    form = at.get("form")[0]
    next(t for t in form.text_area if t.label == "HTML").input(html)
    form.button[0].click()
    return at.run()


@pytest.mark.parametrize("role", ["viewer", "marketer", "admin"])
def test_everyone_sees_the_list_and_a_preview(app_database, session, role):
    at = templates_page(session, role)
    assert not at.exception, at.exception
    assert "Event invitation" in list(at.dataframe[0].value["Template"])
    assert at.text[0].value.startswith("Checking in from ")
    assert "Hi Jordan," in at.code[0].value


def test_a_viewer_gets_no_edit_form(app_database, session):
    at = templates_page(session, "viewer")
    assert at.get("form") == [] and len(at.text_area) == 0


@pytest.mark.parametrize("role", ["marketer", "admin"])
def test_marketers_and_admins_get_the_edit_form(app_database, session, role):
    at = templates_page(session, role)
    assert [t.label for t in at.text_area] == ["HTML", "Plain text"]


def test_choosing_a_template_previews_it(app_database, session):
    at = templates_page(session, "viewer")
    at.selectbox(key="template_pick").set_value("event_reminder").run()
    assert at.text[0].value.startswith("Reminder: Return-to-Play After Ankle Sprains")


def test_a_bad_edit_shows_why_and_saves_nothing(app_database, session):
    at = edit(templates_page(session, "marketer"), "<p>{{ ''.__class__.__mro__ }}</p>")
    assert at.error[0].value.startswith("HTML, line 1: refused: '__mro__' is a private attribute")
    assert session.exec(select(TemplateOverride)).all() == []


def test_a_good_edit_is_saved_and_previewed(app_database, session):
    at = edit(templates_page(session, "marketer"), "<p>See you soon, {{ contact_first_name }}.</p>")
    assert "Partner check-in saved" in texts(at)
    assert "See you soon, Jordan." in at.get("html")[0].proto.body
    assert session.exec(select(TemplateOverride.name)).all() == ["partner_checkin"]


def test_going_back_to_the_built_in_version(app_database, session):
    at = edit(templates_page(session, "marketer"), "<p>See you soon, {{ contact_first_name }}.</p>")
    at.button(key="revert_partner_checkin").click().run()
    assert "Partner check-in uses the built-in version again." in texts(at)
    assert session.exec(select(TemplateOverride)).all() == []


def test_the_liaisons_dormancy_digest_is_listed_as_staff_mail(app_database, session):
    at = templates_page(session, "viewer")
    table = at.dataframe[0].value
    assert list(table.loc[table["Template"] == "Dormancy digest (to liaisons)", "Sent to"]) == [
        "Staff"
    ]
    at.selectbox(key="template_pick").set_value("dormancy_digest").run()
    assert "Preview with a sample staff member" in [s.value for s in at.subheader]
