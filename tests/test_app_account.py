"""My account: every user, whatever their role, turns the monthly report on or off
for themselves."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from crm.models import AuditLog, User
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_user


def _account(session, role="viewer", **fields):  # type: ignore[no-untyped-def]
    actor = make_user(session, email="val@practice.test", role=role, **fields)
    return actor, signed_in("val@practice.test").switch_page("ui/pages/account.py").run()


@pytest.mark.parametrize("role", ["viewer", "marketer", "admin"])
def test_every_role_has_the_page(app_database, session, role):
    _, at = _account(session, role=role)
    assert not at.exception
    assert at.title[0].value == "My account" and "val@practice.test" in texts(at)


def test_a_viewer_opts_in_to_the_monthly_report(app_database, session):
    actor, at = _account(session)
    assert at.checkbox(key="account_monthly_report").value is False
    at.checkbox(key="account_monthly_report").check()
    at.get("form")[0].button[0].click()
    at.run()
    session.expire_all()
    assert session.get(User, actor.id).monthly_report is True
    assert "You will get the monthly report by email." in texts(at)
    assert at.checkbox(key="account_monthly_report").value is True


def test_opting_out_is_audited(app_database, session):
    actor, at = _account(session, monthly_report=True)
    at.checkbox(key="account_monthly_report").uncheck()
    at.get("form")[0].button[0].click()
    at.run()
    session.expire_all()
    assert session.get(User, actor.id).monthly_report is False
    (entry,) = session.exec(select(AuditLog).where(AuditLog.entity == "user")).all()
    assert json.loads(entry.changes) == {"monthly_report": [True, False]}


def test_the_page_shows_the_calendar_link_and_a_new_link_replaces_it(app_database, session):
    actor, at = _account(session, role="marketer")
    before = at.code[0].value
    assert "/calendar/" in before and before.endswith(".ics")

    at.button(key="account_rotate_calendar").click().run()

    session.expire_all()
    assert session.get(User, actor.id).calendar_version == 2
    assert "New calendar link made." in texts(at)
    assert at.code[0].value != before and at.code[0].value.endswith(".ics")
