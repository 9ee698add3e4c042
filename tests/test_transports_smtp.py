"""The SMTP transport against a real SMTP server (aiosmtpd) on a free local port: what
arrives, how refusals and lost connections are reported, and STARTTLS, TLS and AUTH."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from campaigns.mail.transports.base import TransportError
from campaigns.mail.transports.smtp import SmtpTransport
from crm.setting_values import SmtpConfig
from tests.browser import free_port
from tests.transport_helpers import outgoing


class Mailbox:
    """Keeps what the server accepted; `refuse` makes it answer a command with a code."""

    def __init__(self) -> None:
        self.received: list[tuple[Envelope, Any]] = []
        self.refuse: dict[str, str] = {}
        self.hang_up_after_data = False

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if "RCPT" in self.refuse:
            return self.refuse["RCPT"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if "DATA" in self.refuse:
            return self.refuse["DATA"]
        self.received.append((envelope, session.peer))
        if self.hang_up_after_data:
            server.transport.close()  # the message is taken, the 250 never reaches the client
        return "250 Message accepted"

    def messages(self) -> list[Any]:
        return [
            message_from_bytes(envelope.content, policy=policy.default)
            for envelope, _ in self.received
        ]


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def server(mailbox: Mailbox) -> Iterator[Controller]:
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def transport(server: Controller) -> Iterator[SmtpTransport]:
    smtp = SmtpTransport(SmtpConfig.parse(f"smtp://127.0.0.1:{server.port}"), timeout=5)
    yield smtp
    smtp.close()


def test_the_server_receives_the_message_with_our_headers(transport, mailbox):
    """What the recipient's server gets: addresses, subject, one-click unsubscribe and our key."""
    transport.send(outgoing())
    [message] = mailbox.messages()
    assert mailbox.received[0][0].rcpt_tos == ["dr.lee@partner.example.org"]
    [to], [sender] = message["To"].addresses, message["From"].addresses
    assert (to.display_name, to.addr_spec) == ("Dr. Pat Lee", "dr.lee@partner.example.org")
    assert (sender.display_name, sender.addr_spec) == (
        "Springfield Sports Medicine",
        "outreach@practice.example.com",
    )
    assert message["Subject"] == "November update: new ACL clinic hours"
    assert message["List-Unsubscribe"] == "<https://liaison.example.com/unsubscribe/TOKEN>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["X-Liaison-Message-Key"] == "newsletter:2026-11:contact:7"


def test_the_message_has_text_html_and_the_attachment(transport, mailbox):
    """Readers without HTML get the text; the calendar file arrives intact."""
    transport.send(outgoing())
    [message] = mailbox.messages()
    assert (
        message.get_body(("plain",)).get_content().strip() == "Our ACL clinic now opens Saturdays."
    )
    assert "<b>Saturdays</b>" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "hours.ics"
    assert attachment.get_payload(decode=True) == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


def test_the_provider_id_is_the_message_id_header(transport, mailbox):
    """So a bounce that quotes the Message-ID can be matched to the message."""
    result = transport.send(outgoing())
    assert f"<{result.provider_message_id}>" == mailbox.messages()[0]["Message-ID"]


def test_a_second_message_reuses_the_connection(transport, mailbox):
    """One connection per worker, not one per email."""
    transport.send(outgoing(message_id=1))
    transport.send(outgoing(message_id=2))
    assert [peer for _, peer in mailbox.received][0] == mailbox.received[1][1]


def test_a_connection_the_server_dropped_is_reopened_for_the_next_message(mailbox):
    """A server that closed an idle connection must not fail the next email."""
    port = free_port()
    first = Controller(mailbox, hostname="127.0.0.1", port=port)
    first.start()
    smtp = SmtpTransport(SmtpConfig.parse(f"smtp://127.0.0.1:{port}"), timeout=5)
    smtp.send(outgoing(message_id=1))
    first.stop()
    second = Controller(mailbox, hostname="127.0.0.1", port=port)
    second.start()
    try:
        smtp.send(outgoing(message_id=2))
    finally:
        smtp.close()
        second.stop()
    assert len(mailbox.received) == 2


def test_a_refused_recipient_is_permanent(transport, mailbox):
    """550 is the server's final word: retrying cannot help."""
    mailbox.refuse["RCPT"] = "550 5.1.1 No such user"
    with pytest.raises(TransportError) as error:
        transport.send(outgoing())
    assert (error.value.permanent, error.value.ambiguous, error.value.status_code) == (
        True,
        False,
        550,
    )
    assert "No such user" in str(error.value)


def test_a_temporary_refusal_is_transient(transport, mailbox):
    """4xx (greylisting, a full mailbox) may pass later, so the queue retries."""
    mailbox.refuse["RCPT"] = "451 4.7.1 Greylisted, try again later"
    with pytest.raises(TransportError) as error:
        transport.send(outgoing())
    assert (error.value.permanent, error.value.ambiguous, error.value.status_code) == (
        False,
        False,
        451,
    )


def test_a_refused_message_body_is_permanent(transport, mailbox):
    """A 5xx answer to the message itself (content rejected) is final."""
    mailbox.refuse["DATA"] = "554 5.6.0 Message rejected"
    with pytest.raises(TransportError) as error:
        transport.send(outgoing())
    assert (error.value.permanent, error.value.status_code) == (True, 554)


def test_the_connection_survives_a_refusal_for_the_next_message(transport, mailbox):
    """A refused recipient aborts that transaction only."""
    mailbox.refuse["RCPT"] = "550 No such user"
    with pytest.raises(TransportError):
        transport.send(outgoing(message_id=1))
    del mailbox.refuse["RCPT"]
    transport.send(outgoing(message_id=2))
    assert [m["X-Liaison-Message-Id"] for m in mailbox.messages()] == ["2"]


def test_a_connection_lost_after_the_message_was_sent_is_ambiguous(transport, mailbox):
    """The server took the message and hung up before saying so: it may be delivered."""
    mailbox.hang_up_after_data = True
    with pytest.raises(TransportError) as error:
        transport.send(outgoing())
    assert (error.value.ambiguous, error.value.permanent) == (True, False)
    assert len(mailbox.received) == 1


def test_a_server_that_is_not_running_is_transient():
    """Nothing was sent, so the queue may safely try again later."""
    smtp = SmtpTransport(SmtpConfig.parse(f"smtp://127.0.0.1:{free_port()}"), timeout=5)
    with pytest.raises(TransportError) as error:
        smtp.send(outgoing())
    assert (error.value.permanent, error.value.ambiguous) == (False, False)
    assert "cannot connect" in str(error.value)


# --- TLS and sign-in -------------------------------------------------------------------

USER, PASSWORD = "outreach", "s3cret-app-password"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for this run."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "cert.pem", folder / "key.pem"


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def client_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """Trusts our certificate only: the transport still verifies what it connects to."""
    return ssl.create_default_context(cafile=str(certificate[0]))


def check_password(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


STARTTLS_WITH_AUTH = {
    "require_starttls": True,
    "auth_required": True,
    "authenticator": check_password,
}


@contextmanager
def smtp_server(mailbox: Mailbox, **options: Any) -> Iterator[int]:
    """A real aiosmtpd server with the given TLS and AUTH options; yields its port."""
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_starttls_with_a_password_delivers(mailbox, certificate):
    """The common provider setup: port 587, STARTTLS required before AUTH, then the message."""
    with smtp_server(mailbox, **STARTTLS_WITH_AUTH, tls_context=server_tls(certificate)) as port:
        smtp = SmtpTransport(
            SmtpConfig.parse(f"smtp+starttls://{USER}:{PASSWORD}@127.0.0.1:{port}"),
            timeout=5,
            ssl_context=client_tls(certificate),
        )
        try:
            smtp.send(outgoing())
        finally:
            smtp.close()
    assert len(mailbox.received) == 1


def test_a_wrong_password_is_reported_and_not_permanent(mailbox, certificate):
    """The settings are wrong, not the message: it goes out once the password is fixed."""
    with smtp_server(mailbox, **STARTTLS_WITH_AUTH, tls_context=server_tls(certificate)) as port:
        smtp = SmtpTransport(
            SmtpConfig.parse(f"smtp+starttls://{USER}:wrong@127.0.0.1:{port}"),
            timeout=5,
            ssl_context=client_tls(certificate),
        )
        try:
            with pytest.raises(TransportError) as error:
                smtp.send(outgoing())
        finally:
            smtp.close()
    assert (error.value.permanent, error.value.status_code) == (False, 535)
    assert "user name or password" in str(error.value)
    assert mailbox.received == []


def test_tls_from_the_start_delivers(mailbox, certificate):
    """smtps:// (port 465): the connection is encrypted before the greeting."""
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=server_tls(certificate),
        auth_require_tls=False,
        authenticator=check_password,
    )
    controller.start()
    smtp = SmtpTransport(
        SmtpConfig.parse(f"smtps://{USER}:{PASSWORD}@127.0.0.1:{port}"),
        timeout=5,
        ssl_context=client_tls(certificate),
    )
    try:
        smtp.send(outgoing())
    finally:
        smtp.close()
        controller.stop()
    assert len(mailbox.received) == 1


def test_a_certificate_that_is_not_trusted_is_refused(mailbox, certificate):
    """Without verification a password would go to whoever answers."""
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_tls(certificate),
        require_starttls=True,
    )
    controller.start()
    smtp = SmtpTransport(SmtpConfig.parse(f"smtp+starttls://127.0.0.1:{port}"), timeout=5)
    try:
        with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
            smtp.send(outgoing())
    finally:
        smtp.close()
        controller.stop()
    assert mailbox.received == []
