"""An opt-out is the person's, by address. A clinician who works at two clinics has a
contact record at each; ticking "Opted out of email" on one, an unsubscribe link, a
one-click unsubscribe, a SendGrid unsubscribe or an import marks the address, and no
marketing email reaches it through any record. The suppression list holds what came
from a link or a provider; the contact's own flag holds what a person or an import set."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import aliased

from crm.models import Contact, Partner, Suppression

_CHUNK = 500  # addresses per statement: well under SQLite's bound-parameter limit

_SUPPRESSION_WORDS = {
    "unsubscribe": "unsubscribed",
    "bounce": "the address bounced",
    "block": "the address was blocked",
    "spam_report": "reported an email as spam",
    "invalid": "the address is invalid",
    "manual": "on the suppression list",
}
_SOURCE_WORDS = {
    "link": "through an email's unsubscribe link",
    "one-click": "with one-click unsubscribe in their mail app",
    "sendgrid-webhook": "as SendGrid reported",
    "sendgrid": "on SendGrid's own list",
    "manual": "entered on the Suppressions page",
}


def address_opted_out(address: Any) -> ColumnElement[bool]:
    """True where `address` (a column or value, lowercased as every stored address is)
    is opted out on any contact record or on the suppression list; two indexed lookups."""
    flagged = aliased(Contact)
    return or_(
        exists().where(flagged.email == address, flagged.email_opt_out.is_(True)),
        exists().where(Suppression.email == address),
    )


@dataclass(frozen=True)
class OptOut:
    email: str
    short: (
        str  # as the outbox and the previews group it: "suppressed (bounce)", "opted out of email"
    )
    detail: str  # as a contact's page explains it


def opted_out_among(connection: Any, emails: Iterable[str | None]) -> dict[str, OptOut]:
    """The opt-outs of those of `emails` that are opted out; `connection` is a Session
    or a Connection. A suppression comes first, then the first record that was marked.
    One pair of queries per 500 addresses."""
    wanted = sorted({e.strip().lower() for e in emails if e})
    found: dict[str, OptOut] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for email, reason, source, at in connection.execute(
            select(
                Suppression.email, Suppression.reason, Suppression.source, Suppression.created_at
            ).where(Suppression.email.in_(chunk))
        ):
            how = " ".join(
                w
                for w in (_SUPPRESSION_WORDS.get(reason, reason), _SOURCE_WORDS.get(source, source))
                if w
            )
            found[email] = OptOut(email, f"suppressed ({reason})", f"{how} on {at:%b %d, %Y}")
        for email, first, last, partner in connection.execute(
            select(Contact.email, Contact.first_name, Contact.last_name, Partner.name)
            .join(Partner, Partner.id == Contact.partner_id)
            .where(Contact.email.in_(chunk), Contact.email_opt_out.is_(True))
            .order_by(Contact.email, Contact.id)
        ):
            name = f"{first} {last}".strip()
            found.setdefault(
                email,
                OptOut(
                    email,
                    "opted out of email",
                    f"opted out of email (marked on {name} at {partner})",
                ),
            )
    return found
