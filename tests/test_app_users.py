"""The Users page: only admins have it, and it manages who may sign in."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crm.models import User
from tests.apptest import app_database, open_app, sign_in, signed_in, texts  # noqa: F401
from tests.factories import make_user


def users_page(session):  # type: ignore[no-untyped-def]
    make_user(session, email="ada@practice.test", role="admin")
    return signed_in("ada@practice.test").switch_page("ui/pages/users.py").run()


@pytest.mark.parametrize("role", ["viewer", "marketer"])
def test_only_admins_have_a_users_page(app_database, session, role):
    make_user(session, email="maria@practice.test", role=role)
    at = signed_in("maria@practice.test")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("ui/pages/users.py")


def test_an_admin_adds_a_user_who_can_then_sign_in(app_database, session):
    at = users_page(session)
    form = at.get("form")[0]
    next(t for t in form.text_input if t.label == "Email").input("New.Liaison@Practice.com")
    next(t for t in form.text_input if t.label == "Temporary password").input(
        "a long enough password"
    )
    form.button[0].click()
    at.run()
    assert "new.liaison@practice.com can now sign in as marketer." in texts(at)
    assert "new.liaison@practice.com" in list(at.dataframe[0].value["Email"])
    assert not sign_in(open_app(), "new.liaison@practice.com", "a long enough password").error


def test_a_too_short_password_is_refused_with_a_message(app_database, session):
    at = users_page(session)
    form = at.get("form")[0]
    next(t for t in form.text_input if t.label == "Email").input("new@practice.com")
    next(t for t in form.text_input if t.label == "Temporary password").input("short")
    form.button[0].click()
    at.run()
    assert at.error[0].value == "A password needs at least 10 characters."
    assert session.exec(select(User.email)).all() == ["ada@practice.test"]


def test_an_admin_changes_a_role(app_database, session):
    make_user(session, email="maria@practice.test", role="marketer")
    at = users_page(session)
    maria = session.exec(select(User).where(User.email == "maria@practice.test")).one()
    at.selectbox(key="user_pick").set_value(maria.id).run()
    form = at.get("form")[1]
    next(s for s in form.selectbox if s.label == "Role").set_value("viewer")
    form.button[0].click()
    at.run()
    session.expire_all()
    assert session.get(User, maria.id).role == "viewer"
    assert "maria@practice.test saved." in texts(at)


def test_an_admin_turns_on_the_monthly_report_for_a_user(app_database, session):
    make_user(session, email="maria@practice.test", role="viewer")
    at = users_page(session)
    maria = session.exec(select(User).where(User.email == "maria@practice.test")).one()
    at.selectbox(key="user_pick").set_value(maria.id).run()
    at.checkbox(key=f"user_monthly_report_{maria.id}").check()
    at.get("form")[1].button[0].click()
    at.run()
    session.expire_all()
    assert session.get(User, maria.id).monthly_report is True
    table = at.dataframe[0].value
    assert list(table.loc[table["Email"] == "maria@practice.test", "Monthly report"]) == ["Yes"]
