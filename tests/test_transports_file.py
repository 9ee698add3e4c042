"""The file transport: the default, writing each email as an .eml file a person can open."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaigns.mail.transports.base import TransportError
from campaigns.mail.transports.factory import transport_from_settings
from campaigns.mail.transports.file import FileTransport, eml_bodies, list_outbox_files, read_eml
from campaigns.mail.transports.sendgrid_api import SendGridTransport
from campaigns.mail.transports.smtp import SmtpTransport
from crm.settings import Settings
from tests.transport_helpers import outgoing

SENT_AT = datetime(2026, 11, 25, 15, 0, 7, tzinfo=UTC)


@pytest.fixture
def transport(tmp_path):  # type: ignore[no-untyped-def]
    return FileTransport(tmp_path / "outbox", clock=lambda: SENT_AT)


def test_a_message_becomes_a_named_eml_file(transport, tmp_path):
    """Time, message id and subject in the name, so the folder reads in order."""
    result = transport.send(outgoing())
    assert (
        result.provider_message_id == "20261125T150007Z-41-november-update-new-acl-clinic-hours.eml"
    )
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == [result.provider_message_id]


def test_the_file_holds_the_whole_message(transport, tmp_path):
    """Headers, both bodies and the attachment, as an SMTP server would have received them."""
    result = transport.send(outgoing())
    message = read_eml(tmp_path / "outbox" / result.provider_message_id)
    assert message["List-Unsubscribe"] == "<https://liaison.example.com/unsubscribe/TOKEN>"
    assert message["X-Liaison-Message-Key"] == "newsletter:2026-11:contact:7"
    text, html = eml_bodies(message)
    assert text.strip() == "Our ACL clinic now opens Saturdays."
    assert "<b>Saturdays</b>" in html
    assert [a.get_filename() for a in message.iter_attachments()] == ["hours.ics"]


def test_sending_the_same_message_again_writes_no_second_file(tmp_path):
    """A retry after a crash between the write and its bookkeeping must not duplicate it."""
    first = FileTransport(tmp_path, clock=lambda: SENT_AT).send(outgoing())
    again = FileTransport(tmp_path, clock=lambda: datetime(2026, 11, 25, 16, tzinfo=UTC)).send(
        outgoing()
    )
    assert again.provider_message_id == first.provider_message_id
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_a_different_message_with_a_reused_id_gets_its_own_file(tmp_path):
    """Ids restart in a fresh database; the key tells the messages apart."""
    FileTransport(tmp_path, clock=lambda: SENT_AT).send(outgoing())
    later = FileTransport(tmp_path, clock=lambda: datetime(2026, 11, 26, tzinfo=UTC))
    later.send(outgoing(idempotency_key="another-message"))
    assert len(list(tmp_path.glob("*.eml"))) == 2


def test_no_temporary_file_is_left_behind(transport, tmp_path):
    """A reader of the folder only ever sees finished messages."""
    transport.send(outgoing())
    assert [p.suffix for p in (tmp_path / "outbox").iterdir()] == [".eml"]


def test_an_unwritable_folder_is_a_transient_error(tmp_path):
    """A person fixes the disk or the folder, then the queue tries again."""
    (tmp_path / "outbox").write_text("a file where the folder should be")
    with pytest.raises(TransportError) as error:
        FileTransport(tmp_path / "outbox").send(outgoing())
    assert (error.value.permanent, error.value.ambiguous) == (False, False)


def test_the_outbox_lists_the_newest_first_with_recipient_and_subject(tmp_path):
    """What the app shows of the folder."""
    FileTransport(tmp_path, clock=lambda: SENT_AT).send(outgoing(message_id=1, subject="First"))
    FileTransport(tmp_path, clock=lambda: datetime(2026, 11, 26, tzinfo=UTC)).send(
        outgoing(message_id=2, subject="Second")
    )
    files = list_outbox_files(tmp_path)
    assert [(f.message_id, f.subject) for f in files] == [(2, "Second"), (1, "First")]
    assert files[0].to == '"Dr. Pat Lee" <dr.lee@partner.example.org>'
    assert files[1].written_at == SENT_AT


def test_a_missing_outbox_folder_lists_nothing(tmp_path):
    """Before the first email the folder does not exist yet."""
    assert list_outbox_files(tmp_path / "not-yet") == []


@pytest.mark.parametrize(
    "env, kind",
    [
        ({}, FileTransport),
        (
            {"email_transport": "smtp", "smtp_url": "smtp+starttls://u:p@mail.example.com:587"},
            SmtpTransport,
        ),
        ({"email_transport": "sendgrid", "sendgrid_api_key": "SG.key"}, SendGridTransport),
    ],
)
def test_the_setting_chooses_the_transport(env, kind, tmp_path):
    """LIAISON_EMAIL_TRANSPORT picks one of the three; the file outbox is the default."""
    settings = Settings(_env_file=None, outbox_dir=tmp_path, **env)
    assert isinstance(transport_from_settings(settings), kind)
