"""Marketers' edits to the built-in templates. An edit is validated in full before it is
saved (every part compiled under the sandbox's rules, then rendered against the
template's sample data), so a saved override always renders, and a refused one leaves
the database untouched."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from campaigns.mail.templating.catalog import SAMPLE_PARTNER_LINK, TemplateSource, spec_for
from campaigns.mail.templating.errors import TemplateError
from campaigns.mail.templating.render import PracticeInfo, render_source
from campaigns.mail.templating.store import get_override
from crm import audit
from crm.access import Actor, require_editor
from crm.models import TemplateOverride

# What validation renders with: never the real settings, so a result cannot depend on them.
SAMPLE_PRACTICE = PracticeInfo(
    name="Sample Sports Medicine", postal_address="1 Sample Street, Springfield, MA 01103"
)
SAMPLE_UNSUBSCRIBE_URL = "https://practice.example.org/unsubscribe/sample-token"
_SAMPLE_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def validate_override(name: str, subject: str, html: str, text: str) -> None:
    """Raise TemplateError saying what is wrong, or return when the edit is usable."""
    spec = spec_for(name)
    for part, value in (("Subject", subject), ("HTML", html), ("Text", text)):
        if not value.strip():
            raise TemplateError(
                "is empty; every email needs a subject, an HTML and a text version", part=part
            )
    render_source(
        spec,
        TemplateSource(subject=subject, html=html, text=text),
        spec.sample,
        practice=SAMPLE_PRACTICE,
        unsubscribe_url=SAMPLE_UNSUBSCRIBE_URL,
        now=_SAMPLE_NOW,
        partner_link=SAMPLE_PARTNER_LINK,
    )


def save_override(
    session: Session, actor: Actor, name: str, subject: str, html: str, text: str, now: datetime
) -> TemplateOverride:
    require_editor(actor)
    validate_override(name, subject, html, text)
    values = {"subject": subject.strip(), "html": html, "text": text}
    row = get_override(session, name)
    if row is None:
        row = TemplateOverride(name=name, updated_by=actor.id, updated_at=now, **values)
        session.add(row)
        session.flush()
        audit.record(
            session, actor, "create", "template_override", row.id, {"name": name, **values}, now
        )
        return row
    if audit.apply_changes(session, actor, "template_override", row, values, now):
        row.updated_by = actor.id
    return row


def delete_override(session: Session, actor: Actor, name: str, now: datetime) -> None:
    """Go back to the built-in template; the audit keeps the deleted version."""
    require_editor(actor)
    spec = spec_for(name)
    row = get_override(session, name)
    if row is None:
        raise LookupError(f"{spec.title} is not edited; it already uses the built-in version")
    audit.record(
        session,
        actor,
        "delete",
        "template_override",
        row.id,
        {"name": name, "subject": row.subject, "html": row.html, "text": row.text},
        now,
    )
    session.delete(row)
    session.flush()
