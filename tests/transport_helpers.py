"""An email to hand to a transport in the transport tests, with any field overridable."""

from __future__ import annotations

from typing import Any

from campaigns.mail.transports.base import Attachment, OutgoingEmail


def outgoing(**fields: Any) -> OutgoingEmail:
    values: dict[str, Any] = {
        "message_id": 41,
        "idempotency_key": "newsletter:2026-11:contact:7",
        "kind": "newsletter",
        "to_email": "dr.lee@partner.example.org",
        "to_name": "Dr. Pat Lee",
        "from_email": "outreach@practice.example.com",
        "from_name": "Springfield Sports Medicine",
        "subject": "November update: new ACL clinic hours",
        "html": "<p>Our ACL clinic now opens <b>Saturdays</b>.</p>",
        "text": "Our ACL clinic now opens Saturdays.",
        "unsubscribe_url": "https://liaison.example.com/unsubscribe/TOKEN",
        "attachments": (
            Attachment("hours.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),
        ),
        **fields,
    }
    return OutgoingEmail(**values)
