"""The partner link on the partner's page in the app: shown, as a QR code, and rotated."""

from __future__ import annotations

from sqlmodel import select

from crm import settings as settings_module
from crm.models import AuditLog, Partner
from crm.partner_links import link_for, resolve_token
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_partner, make_user


def open_partner(at, partner: Partner):  # type: ignore[no-untyped-def]
    return at.selectbox(key="open_partner").set_value(partner.id).run()


def shown_link(at) -> str:  # type: ignore[no-untyped-def]
    return next(code.value for code in at.code if "/p/" in code.value)


def test_the_partners_page_shows_its_link(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    make_user(session, email="maria@practice.test", role="marketer")
    at = open_partner(signed_in("maria@practice.test"), partner)
    link = shown_link(at)
    assert link == link_for(settings_module.get(), partner)
    assert resolve_token(session, "test-secret-key", link.rsplit("/p/", 1)[1]).id == partner.id


def test_rotating_makes_a_new_link_and_the_old_one_opens_nothing(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    make_user(session, email="maria@practice.test", role="marketer")
    at = open_partner(signed_in("maria@practice.test"), partner)
    old = shown_link(at)
    at = at.button(key=f"rotate_link_{partner.id}").click().run()
    assert "New partner link made" in texts(at)
    new = shown_link(at)
    session.expire_all()
    assert new != old
    assert resolve_token(session, "test-secret-key", old.rsplit("/p/", 1)[1]) is None
    assert resolve_token(session, "test-secret-key", new.rsplit("/p/", 1)[1]).id == partner.id
    assert session.exec(select(AuditLog).where(AuditLog.action == "rotate link")).one()


def test_a_viewer_sees_the_link_but_cannot_rotate_it(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    make_user(session, email="lee@practice.test", role="viewer")
    at = open_partner(signed_in("lee@practice.test"), partner)
    assert "/p/" in shown_link(at)
    assert f"rotate_link_{partner.id}" not in [b.key for b in at.button]


def test_the_partners_printed_referral_form_is_offered_for_download(app_database, session):
    partner = make_partner(session, name="Elm Family Medicine")
    make_user(session, email="maria@practice.test", role="marketer")
    at = open_partner(signed_in("maria@practice.test"), partner)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the printed referral form (PDF)" in labels
