"""An opt-out follows the address: a clinician with a contact record at two clinics opts
out through one record or route, and no marketing email reaches the address through
the other; the other record's page says why."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from campaigns.events.views import contact_choices
from campaigns.mail.outbox import enqueue_many
from campaigns.mail.transports.file import FileTransport
from campaigns.mail.unsubscribe import make_token
from crm.contacts import ContactInput, update_contact
from crm.models import Contact, Message
from crm.opt_outs import opted_out_among
from crm.transfer import import_file
from sendgrid_local.events import Signer
from tests.apptest import app_database, signed_in  # noqa: F401
from tests.factories import make_contact, make_partner, make_user
from tests.outbox_helpers import dispatcher, draft
from tests.public_site import serving
from tests.test_unsubscribe import ONE_CLICK, call
from tests.test_webhook_route import body_of, post, signed
from ui.public.unsubscribe import routes

SHARED = "dr.kim@two-clinics.example.org"
KEY = "test-secret-key"  # what app_database puts in LIAISON_SECRET_KEY
SIGNER = Signer()


@dataclass
class Clinician:
    at_elm: Contact
    at_oak: Contact


@pytest.fixture
def clinician(app_database, session) -> Clinician:  # type: ignore[no-untyped-def]
    elm = make_partner(session, name="Elm Family Medicine")
    oak = make_partner(session, name="Oak Orthopedics")
    return Clinician(
        make_contact(session, elm, first_name="Dana", last_name="Kim", email=SHARED),
        make_contact(session, oak, first_name="Dana", last_name="Kim", email=SHARED),
    )


@pytest.fixture
def site(app_database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(routes()) as address:
        yield f"http://{address}"


def by_checkbox(session: Session, marketer, clinician: Clinician, request, now) -> str:  # type: ignore[no-untyped-def]
    contact = clinician.at_elm
    update_contact(
        session,
        marketer,
        contact.id,
        ContactInput(
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            email_opt_out=True,
        ),
        now,
    )
    session.commit()
    return "opted out of email (marked on Dana Kim at Elm Family Medicine)"


def by_unsubscribe_page(session, marketer, clinician, request, now) -> str:  # type: ignore[no-untyped-def]
    assert (
        call(
            f"{request.getfixturevalue('site')}/unsubscribe/{make_token(KEY, SHARED)}", data=b""
        ).status
        == 200
    )
    return "unsubscribed through an email's unsubscribe link on Nov 25, 2026"


def by_one_click(session, marketer, clinician, request, now) -> str:  # type: ignore[no-untyped-def]
    assert (
        call(
            f"{request.getfixturevalue('site')}/unsubscribe/{make_token(KEY, SHARED, 'k')}",
            data=ONE_CLICK,
        ).status
        == 200
    )
    return "unsubscribed with one-click unsubscribe in their mail app on Nov 25, 2026"


def by_webhook(session, marketer, clinician, request, now) -> str:  # type: ignore[no-untyped-def]
    monkeypatch = request.getfixturevalue("monkeypatch")
    from crm import settings

    monkeypatch.setenv("LIAISON_SENDGRID_WEBHOOK_PUBLIC_KEY", SIGNER.public_key)
    settings.get.cache_clear()
    body = body_of(
        [
            {
                "event": "unsubscribe",
                "email": SHARED,
                "timestamp": int(now.timestamp()),
                "sg_event_id": "evt-unsub-1",
            }
        ]
    )
    assert post(body, signed(body, SIGNER))[0] == 200
    return "unsubscribed as SendGrid reported on Nov 25, 2026"


def by_import(session, marketer, clinician, request, now) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    csv.writer(out).writerows(
        [
            ["Practice", "First Name", "Last Name", "E-mail", "Opt Out"],
            ["Elm Family Medicine", "Dana", "Kim", SHARED, "yes"],
        ]
    )
    report = import_file(
        session, marketer, "contacts", out.getvalue().encode(), "contacts.csv", now=now
    )
    session.commit()
    assert report.updated == 1, report
    return "opted out of email (marked on Dana Kim at Elm Family Medicine)"


WAYS: dict[str, Callable[..., str]] = {
    "checkbox": by_checkbox,
    "unsubscribe page": by_unsubscribe_page,
    "one-click": by_one_click,
    "webhook": by_webhook,
    "import": by_import,
}


@pytest.fixture(params=list(WAYS))
def opted_out(request, session, marketer, clinician, now) -> str:  # type: ignore[no-untyped-def]
    """The clinician opts out through the Elm record or a route; returns why, as shown."""
    return WAYS[request.param](session, marketer, clinician, request, now)


def test_no_marketing_email_reaches_the_address_through_the_other_record(
    engine, session, clinician, opted_out, now, tmp_path
):
    oak = clinician.at_oak
    enqueue_many(
        session,
        [
            draft(to_email=SHARED, contact_id=oak.id, partner_id=oak.partner_id),
            draft(to_email="someone.else@oak.example.org"),
        ],
        now,
    )
    session.commit()
    sender, _ = dispatcher(engine, FileTransport(tmp_path / "outbox"), now)
    sender.run_pass()
    session.expire_all()
    outcome = dict(session.exec(select(Message.to_email, Message.status)).all())
    assert outcome == {SHARED: "suppressed", "someone.else@oak.example.org": "sent"}
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_the_other_records_page_shows_why(session, clinician, opted_out):
    make_user(session, email="maria@practice.test", role="marketer")
    at = (
        signed_in("maria@practice.test")
        .selectbox(key="open_partner")
        .set_value(clinician.at_oak.partner_id)
        .run()
    )
    assert not at.exception, at.exception
    contacts = at.table[0].value
    assert contacts.loc["Dana Kim", "Email opt-out"] == opted_out


def test_the_other_record_is_no_longer_offered_for_an_invitation(session, clinician, opted_out):
    assert contact_choices(session) == {}


def test_why_is_told_for_the_address_whatever_its_case(session, clinician, opted_out):
    assert opted_out_among(session, [SHARED.upper()])[SHARED].detail == opted_out
