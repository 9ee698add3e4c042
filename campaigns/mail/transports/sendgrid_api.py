"""SendGrid's v3 Mail Send API: the official `sendgrid` library builds the request (body,
host, headers), a kept connection (keepalive.py) posts it. The API host is configurable
so that tests and staging talk to a local SendGrid-compatible server.
(Named `sendgrid_api` so that `import sendgrid` still finds the library.)

Like anymail, our message id and idempotency key ride in the personalization's
`custom_args`, so SendGrid's events can be matched back to the message; the kind
becomes the category. How a failure is reported depends on whether the request can
have reached SendGrid: refused before it was sent is transient, lost after it was sent
is ambiguous (a retry could send twice; a person decides)."""

from __future__ import annotations

import base64
import http.client
import json
from http.client import HTTPMessage

from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Asm,
    Attachment,
    Category,
    Content,
    CustomArg,
    Disposition,
    FileContent,
    FileName,
    FileType,
    From,
    GroupId,
    Header,
    Mail,
    Personalization,
    Subject,
    To,
)

from campaigns.mail.transports.base import OutgoingEmail, SendResult, TransportError
from campaigns.mail.transports.keepalive import MailSendConnection, NotSent, sendgrid_client
from campaigns.mail.transports.mime import ONE_CLICK
from crm.clock import Clock
from crm.clock import now as current_time
from crm.settings import Settings

# 401 and 403 mean the API key is wrong or lacks the "Mail Send" permission: the
# settings are at fault, not the message, so the queue retries once they are fixed.
_NOT_THE_MESSAGES_FAULT = {401, 403, 408, 429}


def client_for(settings: Settings, timeout: float = 30.0) -> SendGridAPIClient:
    """The library waits forever by default; ours gives up after `timeout` seconds."""
    return sendgrid_client(settings.sendgrid_api_key, settings.sendgrid_host, timeout)


class SendGridTransport:
    name = "sendgrid"

    def __init__(
        self,
        client: SendGridAPIClient,
        *,
        unsubscribe_group: int | None = None,
        clock: Clock = current_time,
    ) -> None:
        self.client = client
        self.connection = MailSendConnection(client)
        self.unsubscribe_group = unsubscribe_group
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = current_time) -> SendGridTransport:
        return cls(
            client_for(settings), unsubscribe_group=settings.sendgrid_unsubscribe_group, clock=clock
        )

    def send(self, email: OutgoingEmail) -> SendResult:
        body = json.dumps(mail_for(email, self.unsubscribe_group).get()).encode()
        try:
            response = self.connection.post(body)
        except NotSent as exc:
            raise TransportError(f"could not reach SendGrid at {self.client.host}: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            # The request was (perhaps partly) written: SendGrid may have taken it.
            raise TransportError(
                f"the connection to SendGrid was lost after the message was sent, so it "
                f"may have been accepted: {exc.__class__.__name__}: {exc}",
                ambiguous=True,
            ) from exc
        if response.status >= 400:
            raise self._refusal(response.status, response.data, response.headers)
        return SendResult(provider_message_id=response.headers.get("X-Message-Id"))

    def close(self) -> None:
        self.connection.close()

    def _refusal(self, status: int, body: bytes, headers: HTTPMessage) -> TransportError:
        detail = f"SendGrid answered {status}: {error_text(body)}"
        if status == 429:
            return TransportError(
                detail, retry_after=self._retry_after(headers), status_code=status
            )
        permanent = 400 <= status < 500 and status not in _NOT_THE_MESSAGES_FAULT
        return TransportError(detail, permanent=permanent, status_code=status)

    def _retry_after(self, headers: HTTPMessage) -> float | None:
        """SendGrid sends X-RateLimit-Reset (when the limit resets, in Unix seconds);
        a proxy in between may send Retry-After (seconds) instead."""
        reset, after = headers.get("X-RateLimit-Reset"), headers.get("Retry-After")
        try:
            if reset is not None:
                return max(0.0, float(reset) - self.clock().timestamp())
            if after is not None:
                return max(0.0, float(after))
        except ValueError:
            pass
        return None


def mail_for(email: OutgoingEmail, unsubscribe_group: int | None = None) -> Mail:
    mail = Mail()
    mail.from_email = From(email.from_email, email.from_name or None)
    mail.subject = Subject(email.subject)
    person = Personalization()
    person.add_to(To(email.to_email, email.to_name or None))
    # Per personalization: the spec types the top-level custom_args as a string.
    person.add_custom_arg(CustomArg("message_id", str(email.message_id)))
    person.add_custom_arg(CustomArg("message_key", email.idempotency_key))
    mail.add_personalization(person)
    if email.text:
        mail.add_content(Content("text/plain", email.text))
    if email.html or not email.text:
        mail.add_content(Content("text/html", email.html or " "))
    mail.add_category(Category(email.kind))
    if unsubscribe_group is not None:
        mail.asm = Asm(GroupId(unsubscribe_group))
    if email.unsubscribe_url:
        mail.add_header(Header("List-Unsubscribe", f"<{email.unsubscribe_url}>"))
        mail.add_header(Header("List-Unsubscribe-Post", ONE_CLICK))
    for attachment in email.attachments:
        mail.add_attachment(
            Attachment(
                FileContent(base64.b64encode(attachment.content).decode("ascii")),
                FileName(attachment.filename),
                FileType(attachment.mime_type),
                Disposition("attachment"),
            )
        )
    return mail


def error_text(body: bytes | str | None) -> str:
    """SendGrid's `{"errors": [{"message", "field"}]}` as one line, or the raw body."""
    raw = body.decode(errors="replace") if isinstance(body, bytes) else (body or "")
    try:
        errors = json.loads(raw)["errors"]
        return (
            "; ".join(
                f"{e['field']}: {e['message']}" if e.get("field") else str(e["message"])
                for e in errors
            )
            or raw
        )
    except (ValueError, KeyError, TypeError):
        return raw.strip()[:500] or "no detail"
