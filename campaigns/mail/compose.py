"""From a template and its variables to a message in the outbox: rendered before any
send loop, so a bad template or variable becomes a failed message with its reason
instead of a crash mid-batch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from campaigns.mail.outbox import Draft, enqueue
from campaigns.mail.templating import (
    TEMPLATES,
    PracticeInfo,
    TemplateError,
    TemplateSource,
    effective_template,
    render_source,
)
from campaigns.mail.transports.base import Attachment
from campaigns.mail.unsubscribe import unsubscribe_url
from crm import settings as settings_module
from crm.access import Actor, require_editor
from crm.errors import InvalidInput
from crm.models import Message, Partner
from crm.partner_links import link_for
from crm.settings import Settings


def compose(
    session: Session,
    settings: Settings,
    *,
    template: str,
    variables: dict[str, Any],
    idempotency_key: str,
    kind: str,
    to_email: str,
    now: datetime,
    to_name: str = "",
    contact_id: int | None = None,
    patient_id: int | None = None,
    partner_id: int | None = None,
    source: str = "",
    timezone: str | None = None,
    not_before: datetime | None = None,
    attachments: tuple[Attachment, ...] = (),
    template_source: TemplateSource | None = None,
) -> Draft:
    """`template_source` is the version in effect when the caller already read it (a
    planner composing thousands of emails reads it once, not once per recipient)."""
    spec = TEMPLATES[template]
    address = to_email.strip().lower()
    link = unsubscribe_url(settings, address, idempotency_key) if spec.kind == "marketing" else None
    fields: dict[str, Any] = dict(
        idempotency_key=idempotency_key,
        kind=kind,
        to_email=address,
        to_name=to_name,
        template=template,
        transactional=spec.kind == "transactional" or kind == "test",
        contact_id=contact_id,
        patient_id=patient_id,
        partner_id=partner_id,
        source=source,
        timezone=timezone or settings.timezone,
        not_before=not_before,
        attachments=attachments,
    )
    try:
        source = template_source or effective_template(session, template)
        rendered = render_source(
            spec,
            source,
            variables,
            practice=PracticeInfo.from_settings(settings),
            unsubscribe_url=link,
            now=now,
            partner_link=_partner_link(session, settings, spec.audience, partner_id, source),
        )
    except TemplateError as error:
        return Draft(
            **fields, subject="", html="", text="", failure=f"template {template}: {error}"
        )
    return Draft(**fields, subject=rendered.subject, html=rendered.html, text=rendered.text)


def _partner_link(
    session: Session,
    settings: Settings,
    audience: str,
    partner_id: int | None,
    source: TemplateSource,
) -> str:
    """The partner's link, looked up only when the template in effect uses it, so the
    thousands of emails a planner composes that do not use it cost no query."""
    if audience != "partner" or partner_id is None:
        return ""
    if not any("partner_link" in part for part in (source.subject, source.html, source.text)):
        return ""
    partner = session.get(Partner, partner_id)
    return "" if partner is None else link_for(settings, partner)


def enqueue_test(
    session: Session,
    actor: Actor,
    template_name: str,
    to_email: str,
    now: datetime,
    settings: Settings | None = None,
) -> Message:
    """A marketer's test send of a template with its sample data, to themselves."""
    require_editor(actor)
    if template_name not in TEMPLATES:
        raise InvalidInput(f"no template named {template_name!r}")
    if settings is None:
        settings = settings_module.get()
    draft = compose(
        session,
        settings,
        template=template_name,
        variables=dict(TEMPLATES[template_name].sample),
        idempotency_key=f"test:{template_name}:{to_email.lower()}:{now.isoformat()}",
        kind="test",
        to_email=to_email,
        now=now,
        source=f"test send by {actor.name}",
    )
    return enqueue(session, draft, now)
