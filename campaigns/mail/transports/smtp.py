"""SMTP: the settings (`LIAISON_SMTP_URL`) and the transport."""

from __future__ import annotations

import smtplib
import ssl
import threading
from email import policy
from email.message import EmailMessage

from campaigns.mail.transports.base import OutgoingEmail, SendResult, TransportError
from campaigns.mail.transports.mime import to_mime
from crm.clock import Clock
from crm.clock import now as current_time
from crm.setting_values import SmtpConfig


class SmtpTransport:
    """Sends through an SMTP server (STARTTLS, TLS from the start, or plain), keeping one
    connection open across sends and checking it with NOOP before reuse.

    Each transaction is run step by step (MAIL, RCPT, DATA) instead of through
    `sendmail`, because what a failure means depends on where it happened: before DATA
    nothing was handed over (transient, or permanent for a 5xx refusal), while a
    connection lost during DATA may have delivered the message (ambiguous)."""

    name = "smtp"

    def __init__(
        self,
        config: SmtpConfig,
        *,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        clock: Clock = current_time,
    ) -> None:
        self.config = config
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.clock = clock
        self._connection: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    def send(self, email: OutgoingEmail) -> SendResult:
        message = to_mime(email, self.clock())
        with self._lock:
            connection = self._ready_connection()
            self._hand_over(connection, email, message)
        return SendResult(provider_message_id=str(message["Message-ID"]).strip("<>"))

    def close(self) -> None:
        with self._lock:
            self._drop(polite=True)

    def _ready_connection(self) -> smtplib.SMTP:
        if self._connection is not None and not self._still_open(self._connection):
            self._drop(polite=False)
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def _still_open(self, connection: smtplib.SMTP) -> bool:
        try:
            return connection.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        try:
            if config.tls == "ssl":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=self.timeout, context=self.ssl_context
                )
            else:
                connection = smtplib.SMTP(config.host, config.port, timeout=self.timeout)
            connection.ehlo()
            if config.tls == "starttls":
                connection.starttls(context=self.ssl_context)
                connection.ehlo()
            if config.username:
                connection.login(config.username, config.password)
        except smtplib.SMTPAuthenticationError as exc:
            # The settings are wrong, not the message: the queue retries once they are fixed.
            raise TransportError(
                f"the SMTP server refused the user name or password: {_reply(exc)}",
                status_code=exc.smtp_code,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(
                f"cannot connect to SMTP server {config.host}:{config.port}: "
                f"{exc.__class__.__name__}: {exc}"
            ) from exc
        return connection

    def _hand_over(
        self, connection: smtplib.SMTP, email: OutgoingEmail, message: EmailMessage
    ) -> None:
        try:
            self._envelope(connection, email)
        except TransportError:
            _reset(connection)
            raise
        except (smtplib.SMTPException, OSError) as exc:
            self._drop(polite=False)
            raise TransportError(
                f"the SMTP connection failed before the message was sent: {exc}"
            ) from exc
        try:
            code, reply = connection.data(message.as_bytes(policy=policy.SMTP))
        except smtplib.SMTPDataError as exc:  # the answer to DATA itself: nothing was sent yet
            _reset(connection)
            raise _refused("the message", exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._drop(polite=False)
            raise TransportError(
                f"the SMTP connection was lost while sending the message, which may have "
                f"been delivered: {exc.__class__.__name__}: {exc}",
                ambiguous=True,
            ) from exc
        if code != 250:  # the answer to the message's content
            _reset(connection)
            raise _refused("the message", code, reply)

    def _envelope(self, connection: smtplib.SMTP, email: OutgoingEmail) -> None:
        code, reply = connection.mail(email.from_email)
        if code != 250:
            raise _refused(f"the sender {email.from_email}", code, reply)
        code, reply = connection.rcpt(email.to_email)
        if code not in (250, 251):
            raise _refused(f"the recipient {email.to_email}", code, reply)

    def _drop(self, *, polite: bool) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit() if polite else connection.close()
        except (smtplib.SMTPException, OSError):
            connection.close()


def _refused(what: str, code: int, reply: bytes | str) -> TransportError:
    """5xx is the server's final answer; 4xx (greylisting, a full mailbox) may pass later."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return TransportError(
        f"the SMTP server refused {what}: {code} {text}",
        permanent=500 <= code < 600,
        status_code=code,
    )


def _reply(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    return (
        f"{exc.smtp_code} {error.decode(errors='replace') if isinstance(error, bytes) else error}"
    )


def _reset(connection: smtplib.SMTP) -> None:
    """Abort the half-made transaction so the connection can carry the next message."""
    try:
        connection.rset()
    except (smtplib.SMTPException, OSError):
        pass
