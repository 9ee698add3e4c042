"""Composing and enqueueing this program's emails: all transactional, of kind
"acknowledgment" (exempt from the marketing frequency cap), each under a key that makes
a repeated pass ask for the same email and get the one message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from campaigns import post
from campaigns.post import Draft, TemplateSource
from campaigns.referral_updates.recipients import Recipient
from crm.models import Message
from crm.settings import Settings

KIND = "acknowledgment"


class Composer:
    """Reads each template in effect once per pass, not once per email."""

    def __init__(self, session: Session, settings: Settings, now: datetime) -> None:
        self.session, self.settings, self.now = session, settings, now
        self._sources: dict[str, TemplateSource] = {}

    def draft(
        self,
        template: str,
        variables: dict[str, Any],
        key: str,
        to: Recipient,
        partner_id: int,
        source: str,
    ) -> Draft:
        if template not in self._sources:
            self._sources[template] = post.office().effective_template(self.session, template)
        return post.office().compose(
            self.session,
            self.settings,
            template=template,
            variables=variables,
            idempotency_key=key,
            kind=KIND,
            to_email=to.email,
            to_name=to.first_name,
            contact_id=to.contact_id,
            partner_id=partner_id,
            source=source,
            now=self.now,
            template_source=self._sources[template],
        )


def enqueue_keyed(session: Session, drafts: list[Draft], now: datetime) -> dict[str, int]:
    """Enqueue and return each key's message id (new or already there)."""
    post.office().enqueue_many(session, drafts, now)
    keys = [d.idempotency_key for d in drafts]
    found: dict[str, int] = {}
    for start in range(0, len(keys), 1000):
        rows = session.execute(
            select(Message.idempotency_key, Message.id).where(
                Message.idempotency_key.in_(keys[start : start + 1000])
            )
        )
        found.update({key: message_id for key, message_id in rows})
    return found
