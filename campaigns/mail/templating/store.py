"""Reading overrides: which version of a template is in effect."""

from __future__ import annotations

from sqlmodel import Session, select

from campaigns.mail.templating.catalog import TemplateSource, builtin_source, spec_for
from crm.models import TemplateOverride


def get_override(session: Session, name: str) -> TemplateOverride | None:
    return session.exec(select(TemplateOverride).where(TemplateOverride.name == name)).first()


def list_overrides(session: Session) -> dict[str, TemplateOverride]:
    return {row.name: row for row in session.exec(select(TemplateOverride))}


def effective_template(session: Session, name: str) -> TemplateSource:
    """The marketer's override when there is one, else the built-in file."""
    spec_for(name)  # an unknown name is a TemplateError, not a missing file
    row = get_override(session, name)
    if row is None:
        return builtin_source(name)
    return TemplateSource(subject=row.subject, html=row.html, text=row.text)
