"""The Suppressions page: everyone reads the list; marketers and admins add and remove."""

from __future__ import annotations

from sqlmodel import select

from campaigns.mail import suppressions
from campaigns.mail.suppressions import Entry, Reason
from crm.models import AuditLog, Suppression
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_user

PAGE = "ui/pages/suppressions.py"


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role=role)
    return signed_in("maria@practice.test").switch_page(PAGE).run()


def listed_on(at) -> list[str]:  # type: ignore[no-untyped-def]
    return list(at.dataframe[0].value["Email"]) if at.dataframe else []


def seed(session, now) -> None:  # type: ignore[no-untyped-def]
    suppressions.record(
        session,
        [
            Entry("bounced@ortho.org", Reason.BOUNCE, now),
            Entry("left@pt.org", Reason.UNSUBSCRIBE, now),
        ],
        "sendgrid",
    )
    session.commit()


def test_the_list_shows_each_address_with_its_reason(app_database, session, now):
    """What a marketer checks when a partner says they get no email."""
    seed(session, now)
    at = page_for(session)
    table = at.dataframe[0].value
    assert dict(zip(table["Email"], table["Reason"])) == {
        "bounced@ortho.org": "Bounce",
        "left@pt.org": "Unsubscribe",
    }
    assert "**2** suppressed addresses" in texts(at)


def test_search_narrows_the_list(app_database, session, now):
    """Part of an address is enough."""
    seed(session, now)
    at = page_for(session)
    at.text_input(key="suppression_search").input("ortho").run()
    assert listed_on(at) == ["bounced@ortho.org"]


def test_a_marketer_suppresses_an_address_with_a_note(app_database, session):
    """Added from the page, lowercased, with the reason and note kept, and audited."""
    at = page_for(session)
    form = at.get("form")[0]
    next(t for t in form.text_input if t.label == "Email").input("Dr.Kim@PT.org")
    next(t for t in form.text_input if t.label == "Note").input("asked by phone")
    form.button[0].click()
    at.run()
    assert "dr.kim@pt.org will not be emailed." in texts(at)
    row = session.exec(select(Suppression)).one()
    assert (row.email, row.reason, row.note) == ("dr.kim@pt.org", "manual", "asked by phone")
    assert session.exec(select(AuditLog.entity)).all() == ["suppression"]


def test_adding_an_address_already_listed_shows_why_not(app_database, session, now):
    """A message, not a traceback."""
    seed(session, now)
    at = page_for(session)
    form = at.get("form")[0]
    next(t for t in form.text_input if t.label == "Email").input("bounced@ortho.org")
    form.button[0].click()
    at.run()
    assert at.error[0].value == "Already suppressed: bounced@ortho.org (bounce)."


def test_a_marketer_removes_an_address(app_database, session, now):
    """Email may flow again once the entry is removed."""
    seed(session, now)
    at = page_for(session)
    row = session.exec(select(Suppression).where(Suppression.email == "left@pt.org")).one()
    at.selectbox(key="suppression_pick").set_value(row.id).run()
    at.button(key="suppression_remove").click().run()
    assert "left@pt.org may be emailed again." in texts(at)
    assert listed_on(at) == ["bounced@ortho.org"]


def test_a_viewer_reads_the_list_but_cannot_change_it(app_database, session, now):
    """No add form and no remove button for the read-only role."""
    seed(session, now)
    at = page_for(session, role="viewer")
    assert sorted(listed_on(at)) == ["bounced@ortho.org", "left@pt.org"]
    assert not at.get("form")
    assert not [b for b in at.button if b.key == "suppression_remove"]
    assert "suppression_pick" not in [s.key for s in at.selectbox]
