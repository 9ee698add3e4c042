"""The Outbox page: counts, filters, a message as the recipient sees it, and a person's
decision on failed or unknown messages."""

from __future__ import annotations

from sqlmodel import select

from campaigns.mail.outbox import enqueue
from crm.models import AuditLog, Message
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_user
from tests.outbox_helpers import draft

PAGE = "ui/pages/outbox.py"


def page_for(session, role="marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.example.org", role=role)
    return signed_in("maria@practice.example.org").switch_page(PAGE).run()


def _message(session, now, **fields):  # type: ignore[no-untyped-def]
    message = enqueue(session, draft(**fields), now)
    session.commit()
    return message


def test_the_outbox_lists_messages_and_filters_by_status(app_database, session, now):
    _message(session, now, subject="Fall in-service invitation")
    unknown = _message(session, now, subject="Checking in")
    session.execute(
        Message.__table__.update().where(Message.id == unknown.id).values(status="unknown")
    )
    session.commit()
    at = page_for(session)
    assert set(at.dataframe[0].value["Subject"]) == {"Fall in-service invitation", "Checking in"}
    at.multiselect(key="outbox_status").select("unknown").run()
    assert list(at.dataframe[0].value["Subject"]) == ["Checking in"]
    assert "may or may not have accepted it" in texts(at)


def test_a_marketer_requeues_an_unknown_message_after_checking(app_database, session, now):
    unknown = _message(session, now)
    session.execute(
        Message.__table__.update().where(Message.id == unknown.id).values(status="unknown")
    )
    session.commit()
    at = page_for(session)
    at.button(key=f"retry_{unknown.id}").click().run()
    session.expire_all()
    assert session.get(Message, unknown.id).status == "queued"
    assert session.exec(select(AuditLog.action)).all() == ["retry"]


def test_a_viewer_sees_messages_but_no_retry_or_cancel(app_database, session, now):
    failed = _message(
        session,
        now,
        failure="template partner_checkin: 'x' is undefined",
        subject="",
        html="",
        text="",
    )
    at = page_for(session, role="viewer")
    assert len(at.dataframe[0].value) == 1
    assert not [b for b in at.button if b.key in (f"retry_{failed.id}", f"cancel_{failed.id}")]


def test_a_marketer_sends_a_template_test_to_their_own_address(app_database, session):
    make_user(session, email="maria@practice.example.org", role="marketer")
    at = signed_in("maria@practice.example.org").switch_page("ui/pages/templates.py").run()
    at.button(key="send_test_partner_checkin").click().run()
    message = session.exec(select(Message)).one()
    assert (message.kind, message.to_email, message.status) == (
        "test",
        "maria@practice.example.org",
        "queued",
    )
    assert "Test queued for maria@practice.example.org" in texts(at)


def test_with_the_file_transport_the_written_eml_files_are_listed(
    app_database, session, now, tmp_path, monkeypatch
):
    from campaigns.mail.transports.base import OutgoingEmail
    from campaigns.mail.transports.file import FileTransport
    from crm import settings

    monkeypatch.setenv("LIAISON_OUTBOX_DIR", str(tmp_path / "outbox"))
    settings.get.cache_clear()
    FileTransport(tmp_path / "outbox", clock=lambda: now).send(
        OutgoingEmail(
            message_id=7,
            idempotency_key="k7",
            kind="cadence",
            to_email="dr.ames@clinic.example.org",
            to_name="",
            from_email="outreach@practice.example.org",
            from_name="Practice",
            subject="Fall sports physicals",
            html="<p>Hi</p>",
            text="Hi",
        )
    )
    _message(session, now)
    at = page_for(session)
    files = at.dataframe[1].value
    assert list(files["Subject"]) == ["Fall sports physicals"]
