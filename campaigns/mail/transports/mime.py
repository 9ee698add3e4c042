"""One email as a MIME message, the same for SMTP and the file outbox, so what lands in
`data/outbox/` is byte for byte what an SMTP server would have received."""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from campaigns.mail.transports.base import OutgoingEmail

MESSAGE_KEY_HEADER = "X-Liaison-Message-Key"
MESSAGE_ID_HEADER = "X-Liaison-Message-Id"
ONE_CLICK = "List-Unsubscribe=One-Click"


def to_mime(email: OutgoingEmail, now: datetime) -> EmailMessage:
    """Text with an HTML alternative, then the attachments; our ids in headers so a
    reply or a bounce can be matched back to the message."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = formataddr((email.from_name, email.from_email))
    message["To"] = formataddr((email.to_name, email.to_email))
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(
        idstring=str(email.message_id), domain=_domain(email.from_email)
    )
    message[MESSAGE_ID_HEADER] = str(email.message_id)
    message[MESSAGE_KEY_HEADER] = email.idempotency_key
    if email.unsubscribe_url:
        # RFC 8058: the mailbox provider POSTs "List-Unsubscribe=One-Click" to the URL.
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(email.text or " ")
    if email.html:
        message.add_alternative(email.html, subtype="html")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return message


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "localhost"
